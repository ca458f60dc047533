//! `multipart/form-data` bodies for Xray's multipart imports: parts and a boundary that is
//! deterministic and never occurs inside a part.

use super::Body;

/// One part of a `multipart/form-data` body, always sent as a file part (Xray rejects `info`
/// sent as a bare form field: "Error parsing info file!").
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    pub name: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub data: &'a [u8],
}

impl Body {
    /// A `multipart/form-data` body. The boundary is derived from the parts' content (so the
    /// same parts always give the same bytes) and checked not to occur inside any part.
    pub fn multipart(parts: &[Part<'_>]) -> Body {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for p in parts {
            hasher.update(p.name.as_bytes());
            hasher.update(p.data);
        }
        let digest = hasher.finalize();
        let mut salt = 0u32;
        let boundary = loop {
            let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
            let candidate = format!("xray-sync-{hex}-{salt}");
            let clash = parts.iter().any(|p| {
                p.data
                    .windows(candidate.len())
                    .any(|w| w == candidate.as_bytes())
            });
            if !clash {
                break candidate;
            }
            salt += 1;
        };
        let mut bytes = Vec::new();
        for p in parts {
            bytes.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                    p.name, p.filename, p.content_type
                )
                .as_bytes(),
            );
            bytes.extend_from_slice(p.data);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Body::Raw {
            content_type: format!("multipart/form-data; boundary={boundary}"),
            bytes,
        }
    }
}

//! Jira credentials on the wire: Basic (Cloud email + API token, DC username + password), Bearer
//! (DC personal access token) and OAuth 2.0 client credentials for Cloud service accounts.
//!
//! Owns the OAuth session: the token exchange at `{auth_url}/oauth/token`, cloudId discovery
//! (accessible-resources matched to the site URL, else the site's `/_edge/tenant_info`), the
//! gateway base `{api_url}/ex/jira/{cloudId}`, renewal a minute before expiry, and the renewal
//! after a 401. The session sits behind a mutex so parallel workers share one token and a 401
//! seen by several workers at once renews it only once.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;

use crate::error::{ApiError, Service};
use crate::http::{Call, Http, Request};
use crate::secret::Secret;
use crate::settings::{DcAuth, JiraAuth};

/// Renew this long before the token's stated expiry, so a slow call never carries a token that
/// expires in flight.
pub const RENEW_MARGIN: Duration = Duration::from_secs(60);
/// Atlassian's service-account tokens last an hour; used when the answer has no `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// True when a token expiring at `expires_at` should be replaced before use at `now`.
pub fn needs_renewal(now: Instant, expires_at: Instant) -> bool {
    now + RENEW_MARGIN >= expires_at
}

/// How every request is authorised.
pub(crate) enum Auth {
    /// A fixed `Authorization` header value (Basic or Bearer).
    Fixed(Secret),
    OAuth(OAuth),
}

pub(crate) struct OAuth {
    client_id: String,
    client_secret: Secret,
    auth_url: String,
    api_url: String,
    site: String,
    session: Mutex<Session>,
}

#[derive(Default)]
struct Session {
    token: Option<Token>,
    cloud_id: Option<String>,
    /// Every access token issued in this process, so errors can be scrubbed of all of them.
    issued: Vec<Secret>,
    generation: u64,
}

struct Token {
    value: Secret,
    expires_at: Instant,
}

/// What one request needs: the base URL (site or gateway) and the Authorization value.
pub(crate) struct Grant {
    pub base: String,
    pub header: Secret,
    /// Which OAuth token this is (0 for fixed credentials), to renew only a stale one.
    pub generation: u64,
}

#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(serde::Deserialize)]
struct Resource {
    id: String,
    #[serde(default)]
    url: String,
}

#[derive(serde::Deserialize)]
struct TenantInfo {
    #[serde(rename = "cloudId")]
    cloud_id: String,
}

pub(crate) fn basic(user: &str, secret: &Secret) -> Secret {
    let raw = format!("{user}:{}", secret.expose());
    Secret::new(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    ))
}

/// The `Authorization` value for Jira Data Center credentials: a PAT as `Bearer`, else `Basic`.
/// Xray DC sends the same header, since it authenticates with the Jira credentials.
pub(crate) fn dc_header(auth: &DcAuth) -> Secret {
    match auth {
        DcAuth::Basic { username, password } => basic(username, password),
        DcAuth::Pat(pat) => Secret::new(format!("Bearer {}", pat.expose())),
    }
}

impl Auth {
    pub(crate) fn new(auth: &JiraAuth, site: &str) -> Auth {
        match auth {
            JiraAuth::CloudToken { email, token } => Auth::Fixed(basic(email, token)),
            JiraAuth::Dc(dc) => Auth::Fixed(dc_header(dc)),
            JiraAuth::CloudOAuth {
                client_id,
                client_secret,
                auth_url,
                api_url,
            } => Auth::OAuth(OAuth {
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                auth_url: auth_url.trim_end_matches('/').to_string(),
                api_url: api_url.trim_end_matches('/').to_string(),
                site: site.to_string(),
                session: Mutex::new(Session::default()),
            }),
        }
    }

    /// Values that must never appear in output: configured secrets, their Basic encoding and
    /// every access token issued so far.
    pub(crate) fn secrets(&self, configured: &JiraAuth) -> Vec<Secret> {
        let mut out = match configured {
            JiraAuth::CloudToken { token, .. } => vec![token.clone()],
            JiraAuth::CloudOAuth { client_secret, .. } => vec![client_secret.clone()],
            JiraAuth::Dc(DcAuth::Pat(p)) => vec![p.clone()],
            JiraAuth::Dc(DcAuth::Basic { password, .. }) => vec![password.clone()],
        };
        match self {
            Auth::Fixed(header) => {
                if let Some((_, value)) = header.expose().split_once(' ') {
                    out.push(Secret::new(value));
                }
            }
            Auth::OAuth(o) => {
                if let Ok(s) = o.session.lock() {
                    out.extend(s.issued.iter().cloned());
                }
            }
        }
        out
    }

    /// The grant for the next request, exchanging or renewing the OAuth token when due.
    pub(crate) fn grant(&self, http: &Http, site: &str) -> Result<Grant, ApiError> {
        match self {
            Auth::Fixed(header) => Ok(Grant {
                base: site.to_string(),
                header: header.clone(),
                generation: 0,
            }),
            Auth::OAuth(o) => o.grant(http, None),
        }
    }

    /// After a 401 with `stale`: a fresh OAuth grant (once per stale token, however many
    /// workers saw the 401), or `None` when credentials are fixed and renewing cannot help.
    pub(crate) fn renew(&self, http: &Http, stale: &Grant) -> Option<Result<Grant, ApiError>> {
        match self {
            Auth::Fixed(_) => None,
            Auth::OAuth(o) => Some(o.grant(http, Some(stale.generation))),
        }
    }

    pub(crate) fn cloud_id(&self) -> Option<String> {
        match self {
            Auth::Fixed(_) => None,
            Auth::OAuth(o) => o.session.lock().ok().and_then(|s| s.cloud_id.clone()),
        }
    }
}

impl OAuth {
    fn grant(&self, http: &Http, stale_generation: Option<u64>) -> Result<Grant, ApiError> {
        // Holding the lock through the exchange is deliberate: other workers wait for the one
        // new token instead of each fetching their own.
        let mut s = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let stale = match (&s.token, stale_generation) {
            (None, _) => true,
            (Some(_), Some(g)) if g == s.generation => true,
            (Some(t), _) => needs_renewal(Instant::now(), t.expires_at),
        };
        if stale {
            let token = self.exchange(http)?;
            s.issued.push(token.value.clone());
            s.generation += 1;
            s.token = Some(token);
        }
        let Some(token) = &s.token else {
            return Err(ApiError::BadResponse {
                service: Service::AtlassianAuth,
                detail: "no access token after the exchange".into(),
            });
        };
        let header = Secret::new(format!("Bearer {}", token.value.expose()));
        if s.cloud_id.is_none() {
            s.cloud_id = Some(self.discover_cloud_id(http, &header)?);
        }
        let cloud_id = s.cloud_id.clone().unwrap_or_default();
        Ok(Grant {
            base: format!("{}/ex/jira/{cloud_id}", self.api_url),
            header,
            generation: s.generation,
        })
    }

    fn exchange(&self, http: &Http) -> Result<Token, ApiError> {
        let body = serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose(),
            "audience": "api.atlassian.com",
        });
        let req = Request::post_json(format!("{}/oauth/token", self.auth_url), &body, Call::Read)
            .header("Accept", "application/json");
        let issued_at = Instant::now();
        let resp = http
            .send(Service::AtlassianAuth, "OAuth token", &req)
            .map_err(|e| e.scrubbed(&[&self.client_secret]))?;
        let answer: TokenAnswer = resp
            .json(Service::AtlassianAuth, "OAuth token answer")
            .map_err(|e| e.scrubbed(&[&self.client_secret]))?;
        if answer.access_token.is_empty() {
            return Err(ApiError::BadResponse {
                service: Service::AtlassianAuth,
                detail: "the token answer has an empty access_token".into(),
            });
        }
        let lifetime = answer
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_LIFETIME);
        Ok(Token {
            value: Secret::new(answer.access_token),
            expires_at: issued_at + lifetime,
        })
    }

    fn discover_cloud_id(&self, http: &Http, header: &Secret) -> Result<String, ApiError> {
        // A site given as the gateway URL already names its cloudId.
        if let Some(rest) = self.site.split("/ex/jira/").nth(1) {
            let id = rest.split('/').next().unwrap_or_default();
            if !id.is_empty() {
                return Ok(id.to_string());
            }
        }
        let token = header
            .expose()
            .strip_prefix("Bearer ")
            .map(Secret::new)
            .unwrap_or_else(|| header.clone());
        let req = Request::get(format!("{}/oauth/token/accessible-resources", self.api_url))
            .header("Authorization", header.expose())
            .header("Accept", "application/json");
        let listed = http
            .send(Service::AtlassianAuth, "accessible resources", &req)
            .and_then(|r| r.json::<Vec<Resource>>(Service::AtlassianAuth, "accessible resources"));
        let listing_error = match listed {
            Ok(resources) => {
                let site = normalise_site(&self.site);
                if let Some(r) = resources.iter().find(|r| normalise_site(&r.url) == site) {
                    return Ok(r.id.clone());
                }
                if let [only] = resources.as_slice() {
                    return Ok(only.id.clone());
                }
                None
            }
            Err(e) => Some(e.scrubbed(&[&token, &self.client_secret])),
        };
        let req = Request::get(format!("{}/_edge/tenant_info", self.site))
            .header("Accept", "application/json");
        match http
            .send(Service::Jira, "tenant info", &req)
            .and_then(|r| r.json::<TenantInfo>(Service::Jira, "tenant info"))
        {
            Ok(info) if !info.cloud_id.is_empty() => Ok(info.cloud_id),
            Ok(_) | Err(_) => Err(listing_error.unwrap_or_else(|| ApiError::NotFound {
                service: Service::AtlassianAuth,
                what: format!("Jira site {}", self.site),
                detail: "the OAuth credential's accessible resources do not include this site, and its /_edge/tenant_info gave no cloudId".into(),
            })),
        }
    }
}

/// `https://X.atlassian.net/` and `https://x.atlassian.net` are one site.
fn normalise_site(url: &str) -> String {
    url.trim().trim_end_matches('/').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_is_due_a_minute_early() {
        let now = Instant::now();
        assert!(!needs_renewal(now, now + Duration::from_secs(3600)));
        assert!(!needs_renewal(now, now + Duration::from_secs(61)));
        assert!(needs_renewal(now, now + Duration::from_secs(60)));
        assert!(needs_renewal(now, now + Duration::from_secs(5)));
        assert!(needs_renewal(now + Duration::from_secs(10), now));
    }

    #[test]
    fn basic_header_encodes_user_and_secret() {
        let h = basic("me@example.com", &Secret::from("tok"));
        assert_eq!(h.expose(), "Basic bWVAZXhhbXBsZS5jb206dG9r");
        assert_eq!(format!("{h}"), "***");
    }

    #[test]
    fn site_urls_compare_without_case_or_slash() {
        assert_eq!(
            normalise_site("https://X.atlassian.net/"),
            normalise_site("https://x.atlassian.net")
        );
    }
}

//! What a Jira site answers before any credential is involved: `serverInfo` and a harmless
//! search POST, the two reads `doctor` uses to tell a wrong base URL, a login page, a redirect,
//! the wrong product or a User-Agent-rewriting proxy apart from a credential problem.
//!
//! Owns those two calls and their answers. Both go to the site URL anonymously (so a bad
//! credential shows up later, at `myself`), except on the OAuth/scoped-token gateway URL
//! (`…/ex/jira/{cloudId}`), which answers nothing without a token. Their first answer is judged
//! as is: a redirect, an HTML page or a 404/410 are facts to report, not errors to retry.

use serde::Deserialize;
use serde_json::json;

use super::Client;
use crate::error::{ApiError, Service};
use crate::http::{Call, Request, error_for};
use crate::jira::jql;
use crate::settings::Product;

/// `GET /rest/api/2/serverInfo` (both products serve v2 here; DC has no v3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServerInfo {
    pub base_url: Option<String>,
    pub version: Option<String>,
    pub version_numbers: Vec<u32>,
    pub deployment_type: Option<String>,
    pub server_title: Option<String>,
}

impl ServerInfo {
    /// `deploymentType` is always `Cloud` on Cloud; anything else (`Server`, `DataCenter`) is DC.
    pub fn product(&self) -> Product {
        match self.deployment_type.as_deref() {
            Some(t) if t.eq_ignore_ascii_case("cloud") => Product::Cloud,
            Some(_) | None => Product::Dc,
        }
    }

    pub fn major(&self) -> Option<u32> {
        self.version_numbers
            .first()
            .copied()
            .or_else(|| self.version.as_deref()?.split('.').next()?.parse().ok())
    }
}

/// What the site URL answered to `serverInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAnswer {
    Info(ServerInfo),
    /// An HTML page (a login page, an SSO portal, a proxy error page).
    Html {
        status: u16,
    },
    /// A redirect, which the client never follows.
    Redirect {
        status: u16,
        location: String,
    },
}

/// What the search endpoint xray-sync uses for a product answered to a harmless POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchAnswer {
    /// It exists and takes POSTs (any JSON answer, even a JQL error, proves that).
    Available { path: String },
    /// 410 Gone (Cloud's removed `/search`) or 404 (an endpoint this deployment lacks).
    Gone {
        path: String,
        status: u16,
        detail: String,
    },
    /// 403 `XSRF check failed`: the request looked like a browser's.
    XsrfRejected { detail: String },
}

impl Client<'_> {
    /// `req` for the site URL: anonymous, unless the site is the API gateway.
    fn on_site(&self, req: Request) -> Result<Request, ApiError> {
        if !self.site.contains("/ex/jira/") {
            return Ok(req);
        }
        let grant = self
            .auth
            .grant(self.http, &self.site)
            .map_err(|e| self.scrub(e))?;
        Ok(req.header("Authorization", grant.header.expose()))
    }

    /// `GET {site}/rest/api/2/serverInfo`, anonymously. A redirect or an HTML page (any status)
    /// is an answer; rate limits, 5xx and transport failures go through the retry policy.
    pub fn site_server_info(&self) -> Result<ServerAnswer, ApiError> {
        const WHAT: &str = "serverInfo";
        let req = self.on_site(Request::get(format!("{}/rest/api/2/serverInfo", self.site)))?;
        let resp = match self.http.send_once(Service::Jira, &req) {
            Ok(r) if r.is_success() || (300..400).contains(&r.status) || r.is_html() => r,
            Ok(r) if r.status != 429 && r.status < 500 => {
                return Err(self.scrub(error_for(Service::Jira, WHAT, &r)));
            }
            Ok(_) | Err(_) => self
                .http
                .send(Service::Jira, WHAT, &req)
                .map_err(|e| self.scrub(e))?,
        };
        if (300..400).contains(&resp.status) {
            return Ok(ServerAnswer::Redirect {
                status: resp.status,
                location: resp.header("location").unwrap_or("?").to_string(),
            });
        }
        if resp.is_html() {
            return Ok(ServerAnswer::Html {
                status: resp.status,
            });
        }
        Ok(ServerAnswer::Info(resp.json(Service::Jira, WHAT)?))
    }

    /// One POST (never retried) of a bounded JQL on `project` to the search endpoint xray-sync
    /// uses for `product`: Cloud `/rest/api/3/search/jql`, DC `/rest/api/2/search`. `product`
    /// is a parameter so a site can be probed with the endpoint the settings would pick.
    pub fn probe_search(&self, product: Product, project: &str) -> Result<SearchAnswer, ApiError> {
        let path = match product {
            Product::Cloud => "/rest/api/3/search/jql",
            Product::Dc => "/rest/api/2/search",
        };
        let body = json!({
            "jql": format!("project = {}", jql::quote(project)),
            "maxResults": 1,
            "fields": ["id"],
        });
        let req = self.on_site(Request::post_json(
            format!("{}{path}", self.site),
            &body,
            Call::Read,
        ))?;
        let resp = self
            .http
            .send_once(Service::Jira, &req)
            .map_err(|(_, e)| self.scrub(e))?;
        // An anonymous call: no secret to scrub, so the message is cut here for the doctor line.
        let detail = crate::error::shorten(&crate::http::detail_of(&resp.body));
        Ok(match resp.status {
            403 if detail.contains("XSRF") => SearchAnswer::XsrfRejected { detail },
            404 | 410 if !resp.is_html() => SearchAnswer::Gone {
                path: path.to_string(),
                status: resp.status,
                detail,
            },
            _ => SearchAnswer::Available {
                path: path.to_string(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_type_and_major_version() {
        let cloud = ServerInfo {
            deployment_type: Some("Cloud".into()),
            version: Some("1001.0.0-SNAPSHOT".into()),
            ..ServerInfo::default()
        };
        assert_eq!(cloud.product(), Product::Cloud);
        assert_eq!(cloud.major(), Some(1001));
        let dc = ServerInfo {
            deployment_type: Some("Server".into()),
            version_numbers: vec![11, 0, 1],
            ..ServerInfo::default()
        };
        assert_eq!(dc.product(), Product::Dc);
        assert_eq!(dc.major(), Some(11));
    }

    #[test]
    fn missing_fields_read_as_unknown() {
        let info: ServerInfo = serde_json::from_str(r#"{"version":"10.3.2"}"#).unwrap();
        assert_eq!(info.product(), Product::Dc);
        assert_eq!(info.major(), Some(10));
        assert_eq!(info.base_url, None);
    }
}

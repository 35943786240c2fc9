//! GET with the retries open-data servers need: PDOK and CBS answer 429 (with `Retry-After`)
//! when busy and an occasional 5xx, so every request is retried a bounded number of times
//! before the fetch stops and tells the user that rerunning resumes.

use super::FetchError;
use reqwest::StatusCode;
use std::time::Duration;

/// The longest `Retry-After` that is waited for; a server asking for more is given up on.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// How a request is retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries in all (the first one included), for 429, 5xx and network errors alike.
    pub tries: u32,
    /// The wait after the first failed try; it doubles after each further one.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            tries: 4,
            backoff: Duration::from_secs(1),
        }
    }
}

/// A successful answer.
#[derive(Debug)]
pub struct Answer {
    pub body: Vec<u8>,
    /// The `Content-Crs` header (OGC API Features part 2), without its angle brackets.
    pub content_crs: Option<String>,
}

/// An HTTP client for the open-data servers.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    policy: RetryPolicy,
    /// Said when the fetch gives up, so the user knows the work done so far is kept.
    resume_hint: String,
}

impl Http {
    pub fn new(policy: RetryPolicy, resume_hint: String) -> Result<Http, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("wijkveilig/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| FetchError::Options {
                problem: format!("cannot set up the HTTP client ({e})"),
                fix: "check the system's TLS certificates".into(),
            })?;
        Ok(Http {
            client,
            policy,
            resume_hint,
        })
    }

    /// GETs `url`; `Ok(None)` when the server answers 404 (the caller knows what that means).
    pub async fn get(&self, url: &str) -> Result<Option<Answer>, FetchError> {
        let mut last = String::new();
        for attempt in 1..=self.policy.tries {
            let wait = match self
                .client
                .get(url)
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
            {
                Ok(response) => {
                    let status = response.status();
                    if status.is_success() {
                        let content_crs = response
                            .headers()
                            .get("content-crs")
                            .and_then(|v| v.to_str().ok())
                            .map(|v| v.trim().trim_matches(['<', '>']).to_string());
                        match response.bytes().await {
                            Ok(body) => {
                                return Ok(Some(Answer {
                                    body: body.to_vec(),
                                    content_crs,
                                }));
                            }
                            Err(e) => {
                                last = format!("the answer broke off ({e})");
                                self.backoff(attempt)
                            }
                        }
                    } else if status == StatusCode::NOT_FOUND {
                        return Ok(None);
                    } else if status == StatusCode::TOO_MANY_REQUESTS {
                        last = status.to_string();
                        match retry_after(&response) {
                            Some(d) if d > MAX_RETRY_AFTER => {
                                return Err(FetchError::GaveUp {
                                    url: url.to_string(),
                                    status: format!(
                                        "{status} with Retry-After {} s (more than the {} s this command waits)",
                                        d.as_secs(),
                                        MAX_RETRY_AFTER.as_secs()
                                    ),
                                    tries: attempt,
                                    resume: self.resume_hint.clone(),
                                });
                            }
                            Some(d) => d,
                            None => self.backoff(attempt),
                        }
                    } else if status.is_server_error() {
                        last = status.to_string();
                        self.backoff(attempt)
                    } else {
                        let body = response.text().await.unwrap_or_default();
                        return Err(FetchError::Refused {
                            url: url.to_string(),
                            status: status.to_string(),
                            body: snippet(&body),
                        });
                    }
                }
                Err(e) => {
                    last = format!("no answer ({})", causes(e));
                    self.backoff(attempt)
                }
            };
            if attempt < self.policy.tries {
                tracing::warn!("GET {url}: {last}; trying again in {} ms", wait.as_millis());
                tokio::time::sleep(wait).await;
            }
        }
        Err(FetchError::GaveUp {
            url: url.to_string(),
            status: last,
            tries: self.policy.tries,
            resume: self.resume_hint.clone(),
        })
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.policy.backoff * 2u32.saturating_pow(attempt.saturating_sub(1))
    }
}

/// A request error and its causes on one line, without the address (said once already).
fn causes(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// `Retry-After` in seconds (the HTTP-date form is not used by these servers).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// The start of an error body, on one line, for the message.
fn snippet(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 200 {
        format!("{}…", one_line.chars().take(200).collect::<String>())
    } else {
        one_line
    }
}

/// Percent-encodes a query value; spaces become `%20` (OData servers do not all read `+`).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `base` + `path` + `?k=v&…` with every value percent-encoded.
pub fn address(base: &str, path: &str, query: &[(&str, &str)]) -> String {
    let mut url = format!("{}{path}", base.trim_end_matches('/'));
    for (i, (k, v)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(k);
        url.push('=');
        url.push_str(&encode(v));
    }
    url
}

/// Resolves a `next` link that may be relative to the page it came from.
pub fn resolve(page: &str, link: &str) -> Result<String, FetchError> {
    let base = reqwest::Url::parse(page).map_err(|e| FetchError::Payload {
        url: page.to_string(),
        field: "next link".into(),
        problem: format!("the page address does not parse ({e})"),
        fix: "check --pdok-url / --cbs-url".into(),
    })?;
    base.join(link)
        .map(|u| u.to_string())
        .map_err(|e| FetchError::Payload {
            url: page.to_string(),
            field: "next link".into(),
            problem: format!("'{link}' is not an address ({e})"),
            fix: "the server's paging link is broken; try again later".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_odata_filters_with_percent_twenty() {
        assert_eq!(
            encode("startswith(WijkenEnBuurten,'BU0141') and Perioden eq '2023JJ00'"),
            "startswith%28WijkenEnBuurten%2C%27BU0141%27%29%20and%20Perioden%20eq%20%272023JJ00%27"
        );
        assert_eq!(
            address("http://x/", "/a", &[("f", "json"), ("$top", "1 2")]),
            "http://x/a?f=json&$top=1%202"
        );
    }

    #[test]
    fn resolves_relative_and_absolute_next_links() {
        let page = "http://h/ODataFeed/odata/47018NED/TypedDataSet?$format=json";
        assert_eq!(
            resolve(page, "TypedDataSet?$skiptoken=5").unwrap(),
            "http://h/ODataFeed/odata/47018NED/TypedDataSet?$skiptoken=5"
        );
        assert_eq!(resolve(page, "https://o/x?y=1").unwrap(), "https://o/x?y=1");
    }
}

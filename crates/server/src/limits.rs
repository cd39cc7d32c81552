//! Rate limits (issue #13, operations): a request that presents a token this server
//! issued (bearer or session cookie) is counted against that token; any other request
//! against the address it comes from. Over the limit, the answer is 429 with a problem
//! and `Retry-After` (whole seconds until one more request is allowed).
//!
//! Tokens the server does not know are counted by address, so that a client cannot
//! escape its address's limit by inventing tokens. The address is the TCP peer's: a
//! proxy's `X-Forwarded-For` is not trusted (behind a proxy, every anonymous request
//! shares the proxy's bucket — set `per_address` for that, or none).
//!
//! The buckets are governor's GCRA: `per_minute` sustained, `burst` at once.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest as _, Sha256};

use crate::AppState;
use crate::problem::ApiError;

/// One limit: requests per minute sustained, and how many at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests per minute, sustained.
    pub per_minute: NonZeroU32,
    /// Requests allowed at once after a quiet spell.
    pub burst: NonZeroU32,
}

impl Rate {
    /// `per_minute` sustained, `burst` at once (`None` if either is 0).
    pub fn new(per_minute: u32, burst: u32) -> Option<Rate> {
        Some(Rate {
            per_minute: NonZeroU32::new(per_minute)?,
            burst: NonZeroU32::new(burst)?,
        })
    }

    fn quota(self) -> Quota {
        Quota::per_minute(self.per_minute).allow_burst(self.burst)
    }
}

/// A limit as an operator writes it: `PER_MINUTE/BURST` (`6000/1000`), or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub Option<Rate>);

impl std::str::FromStr for Limit {
    type Err = String;

    fn from_str(text: &str) -> Result<Limit, String> {
        if text == "off" {
            return Ok(Limit(None));
        }
        let bad = || {
            format!("`{text}` is not a rate limit: write PER_MINUTE/BURST (`6000/1000`) or `off`")
        };
        let (per_minute, burst) = text.split_once('/').ok_or_else(bad)?;
        let number = |n: &str| n.parse::<u32>().map_err(|_| bad());
        Rate::new(number(per_minute)?, number(burst)?)
            .map(|rate| Limit(Some(rate)))
            .ok_or_else(bad)
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(rate) => write!(f, "{}/{}", rate.per_minute, rate.burst),
            None => f.write_str("off"),
        }
    }
}

/// The limits a server applies (`None`: no limit of that kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Per token the server issued.
    pub per_token: Option<Rate>,
    /// Per client address, for requests without such a token.
    pub per_address: Option<Rate>,
}

impl Default for RateLimits {
    /// 6,000 a minute per token (bursts of 1,000), 3,000 a minute per address (bursts of
    /// 500): far above what a person or a monitor's batch sends, low enough that one
    /// client cannot take the store's whole capacity.
    fn default() -> RateLimits {
        RateLimits {
            per_token: Rate::new(6_000, 1_000),
            per_address: Rate::new(3_000, 500),
        }
    }
}

/// Keys kept before stale ones are dropped (a key's state is a few dozen bytes).
const MAX_KEYS: usize = 100_000;

/// The buckets.
pub(crate) struct Limiters {
    per_token: Option<DefaultKeyedRateLimiter<[u8; 32]>>,
    per_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Made once: making one reads the CPU's features (quanta), which cost a fifth of
    /// the CPU time of a cheap request when it was made per request.
    clock: DefaultClock,
}

impl std::fmt::Debug for Limiters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiters")
            .field("per_token", &self.per_token.is_some())
            .field("per_address", &self.per_address.is_some())
            .finish()
    }
}

impl Limiters {
    pub(crate) fn new(limits: RateLimits) -> Limiters {
        Limiters {
            per_token: limits.per_token.map(|r| RateLimiter::keyed(r.quota())),
            per_address: limits.per_address.map(|r| RateLimiter::keyed(r.quota())),
            clock: DefaultClock::default(),
        }
    }

    /// `Ok` if the request may go on, else how long until it may.
    fn check(&self, token: Option<[u8; 32]>, address: IpAddr) -> Result<(), std::time::Duration> {
        let checked = match (token, &self.per_token, &self.per_address) {
            (Some(token), Some(limiter), _) => {
                shrink(limiter);
                limiter.check_key(&token)
            }
            (Some(_), None, _) | (None, _, None) => Ok(()),
            (None, _, Some(limiter)) => {
                shrink(limiter);
                limiter.check_key(&address)
            }
        };
        checked.map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

fn shrink<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>) {
    if limiter.len() > MAX_KEYS {
        limiter.retain_recent();
    }
}

/// The token a request presents, as its SHA-256, if the server issued it. The holder of
/// its bearer token, looked up once here, goes on in the request's extensions for
/// [`crate::extract::Caller`].
fn issued_token(state: &AppState, request: &mut Request) -> Option<[u8; 32]> {
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(crate::extract::bearer)
        .map(str::to_owned);
    if let Some(token) = &bearer {
        let holder = state.tokens.holder(token);
        let issued = holder.is_some();
        request
            .extensions_mut()
            .insert(crate::extract::BearerHolder(holder));
        return issued.then(|| Sha256::digest(token.as_bytes()).into());
    }
    let token = crate::pages::cookie(request.headers())?;
    state.tokens.holder(&token)?;
    Some(Sha256::digest(token.as_bytes()).into())
}

/// Middleware: 429 with a problem and `Retry-After` over the limit. Health probes are
/// not counted (a load balancer's checks must not lock out its own address).
pub(crate) async fn limit(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if matches!(request.uri().path(), "/healthz" | "/readyz") {
        return next.run(request).await;
    }
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let token = issued_token(&state, &mut request);
    match state.ops.limits.check(token, address) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many(wait, token.is_some()),
    }
}

fn too_many(wait: std::time::Duration, by_token: bool) -> Response {
    // Whole seconds, rounded up: a client that waits that long is allowed.
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let whose = if by_token {
        "this token"
    } else {
        "this address"
    };
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        format!("{whose} sent more requests than the server's limit; try again in {seconds} s"),
    )
    .with_header(header::RETRY_AFTER, HeaderValue::from(seconds))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_read_as_written_and_shown_the_same() {
        let limit: Limit = "6000/1000".parse().unwrap_or(Limit(None));
        assert_eq!(limit, Limit(Rate::new(6000, 1000)));
        assert_eq!(limit.to_string(), "6000/1000");
        assert_eq!("off".parse::<Limit>(), Ok(Limit(None)));
        for bad in ["", "6000", "0/10", "10/0", "-1/2", "1/2/3", "x/y", "Off"] {
            assert!(bad.parse::<Limit>().is_err(), "{bad}");
        }
    }
}

//! An agreement's log as a C2SP tlog-tiles log (issue #13). Its prefix is
//! `/v1/agreements/{id}/log/`: `checkpoint` (in [`super::log`]) and, here,
//! `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, with `<N>` in zero-padded
//! three-digit groups, all but the last prefixed `x` (`x001/x234/067`). The C2SP path has
//! no height segment and no `data/` (Go's sumdb/tlog layout differs).
//!
//! A path is read strictly, in the one spelling the specification allows (no extra
//! leading zeroes, no empty `x000` group in front): anything else is a 400 problem, a
//! resource the tree does not hold a 404.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};

use accord_app::tiles::{MAX_LEVEL, Resource, Tile, TileRequest};

use super::agreements::agreement_id;
use super::blocking;
use crate::AppState;
use crate::extract::Caller;
use crate::policy::Action;
use crate::problem::ApiError;

/// How long a client may keep a tile or bundle: a week, and it never changes (the tree
/// is append-only, so the hashes and entries at a given level, index and width are fixed
/// once the log holds them — partial ones included).
const IMMUTABLE: &str = "public, max-age=604800, immutable";

/// `GET /v1/agreements/{id}/log/tile/{*path}`.
pub async fn tile(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, path)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadPublic)?;
    let id = agreement_id(&id)?;
    let request = parse(&path).map_err(|why| {
        ApiError::bad_request(
            "bad-tile-path",
            format!("`tile/{path}` is not a C2SP tlog-tiles path: {why}"),
        )
    })?;
    let tile = blocking(&state, move |store| {
        let info = accord_app::service::log_of(store, &id)?;
        accord_app::tiles::read(store, &info.origin, request)
    })
    .await?;
    match tile {
        Tile::Found(bytes) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
            Ok(response)
        }
        Tile::Absent => Err(ApiError::not_found(
            "no-such-tile",
            format!("the log's tree holds no `tile/{path}` (yet)"),
        )),
        Tile::EntryTooLong { index, len } => Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "entry-too-long-for-bundle",
            format!(
                "entry #{index} is {len} bytes, more than an entry bundle's 16-bit length can \
                 say; read it through an inclusion proof's entry instead"
            ),
        )),
    }
}

/// Reads `<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]` (what follows `tile/`).
pub(crate) fn parse(path: &str) -> Result<TileRequest, &'static str> {
    let (first, rest) = path.split_once('/').ok_or("it names no tile index")?;
    let resource = if first == "entries" {
        Resource::Entries
    } else {
        Resource::Hashes {
            level: level(first)?,
        }
    };
    let (groups, width) = match rest.split_once(".p/") {
        Some((groups, width)) => (groups, Some(partial_width(width)?)),
        None => (rest, None),
    };
    Ok(TileRequest {
        resource,
        index: index(groups)?,
        width,
    })
}

/// A decimal with no extra leading zero (`0` itself is one), of ASCII digits only.
fn decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

fn level(text: &str) -> Result<u8, &'static str> {
    decimal(text)
        .and_then(|l| u8::try_from(l).ok())
        .filter(|l| *l <= MAX_LEVEL)
        .ok_or("the level must be 0 to 63, in decimal without leading zeroes")
}

fn partial_width(text: &str) -> Result<u8, &'static str> {
    decimal(text)
        .and_then(|w| u8::try_from(w).ok())
        .filter(|w| *w >= 1)
        .ok_or("a partial width must be 1 to 255, in decimal without leading zeroes")
}

/// `x001/x234/067` → 1234067.
fn index(groups: &str) -> Result<u64, &'static str> {
    const GROUPS: &str = "the index must be three-digit groups, all but the last prefixed `x` \
                          (`x001/x234/067`), with no leading `x000`";
    let parts: Vec<&str> = groups.split('/').collect();
    let Some((last, leading)) = parts.split_last() else {
        return Err(GROUPS);
    };
    let mut index: u64 = 0;
    for (i, part) in leading.iter().enumerate() {
        let digits = part.strip_prefix('x').ok_or(GROUPS)?;
        let group = three_digits(digits).ok_or(GROUPS)?;
        if i == 0 && group == 0 {
            return Err(GROUPS);
        }
        index = push_group(index, group).ok_or("the index is too large")?;
    }
    let group = three_digits(last).ok_or(GROUPS)?;
    push_group(index, group).ok_or("the index is too large")
}

fn three_digits(text: &str) -> Option<u64> {
    (text.len() == 3 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn push_group(index: u64, group: u64) -> Option<u64> {
    index.checked_mul(1000)?.checked_add(group)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(level: u8, index: u64, width: Option<u8>) -> TileRequest {
        TileRequest {
            resource: Resource::Hashes { level },
            index,
            width,
        }
    }

    #[test]
    fn the_specification_s_paths_are_read() {
        assert_eq!(parse("0/000"), Ok(hashes(0, 0, None)));
        assert_eq!(parse("1/x001/x234/067"), Ok(hashes(1, 1_234_067, None)));
        assert_eq!(parse("63/999.p/255"), Ok(hashes(63, 999, Some(255))));
        assert_eq!(parse("2/x001/000.p/1"), Ok(hashes(2, 1000, Some(1))));
        assert_eq!(
            parse("entries/x001/x234/067.p/8"),
            Ok(TileRequest {
                resource: Resource::Entries,
                index: 1_234_067,
                width: Some(8),
            })
        );
        assert_eq!(
            parse("0/x018/x446/x744/x073/x709/x551/615"),
            Ok(hashes(0, u64::MAX, None))
        );
    }

    #[test]
    fn every_other_spelling_is_refused() {
        for bad in [
            "",
            "0",
            "0/",
            "0/0",
            "0/00",
            "0/0000",
            "0/x000/001",
            "0/x01/001",
            "0/001/x002",
            "0/x001",
            "00/000",
            "01/000",
            "64/000",
            "-1/000",
            "0/000.p/0",
            "0/000.p/256",
            "0/000.p/07",
            "0/000.p/",
            "0/000.p",
            "0/000.p/1/2",
            "entry/000",
            "entries/1",
            "0/+01",
            "0/x018/x446/x744/x073/x709/x551/616",
            "0/ab1",
            "0/000/",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was read");
        }
    }
}

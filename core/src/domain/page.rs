//! Keyset paging: a limit and an opaque cursor in, items and the next cursor out.
use uuid::Uuid;

use super::validation::Invalid;

/// A page request: at most `limit` items after `cursor` (the last id of the previous page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// The most items to return, 1 to `MAX_LIMIT`.
    pub limit: u32,
    /// The last id of the previous page; `None` for the first page.
    pub cursor: Option<Uuid>,
}

impl PageRequest {
    /// The page size when the client does not choose one.
    pub const DEFAULT_LIMIT: u32 = 20;
    /// The largest page a client may ask for.
    pub const MAX_LIMIT: u32 = 100;

    /// A page request from the client's `limit` (default 20) and `cursor` (empty or absent for the first page).
    ///
    /// # Errors
    /// `Invalid` for a limit outside 1..=100 or a cursor that is not one we handed out.
    pub fn parse(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, Invalid> {
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(Invalid::field("limit", format!("{limit} is outside 1..=100"), "Ask for between 1 and 100 items."));
        }
        let cursor = match cursor {
            None | Some("") => None,
            Some(c) => Some(Uuid::parse_str(c).map_err(|_| {
                Invalid::field(
                    "cursor",
                    "is not a cursor this API returned",
                    "Pass the nextCursor of the previous page unchanged, or leave it out for the first page.",
                )
            })?),
        };
        Ok(Self { limit, cursor })
    }
}

/// One page of results; `next_cursor` is `None` on the last page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// At most `limit` items, in the order the query defines.
    pub items: Vec<T>,
    /// The cursor for the following page: the last item's id; `None` on the last page.
    pub next_cursor: Option<Uuid>,
}

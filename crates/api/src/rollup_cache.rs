//! Computed rollups, kept until a write changes what they were computed from.
//!
//! An entry is keyed by everything its figures depend on: the region, the scope, the window,
//! the moment, the filter, and the versions the writes themselves bump in the database
//! (`rops_store::rollups::versions`, kept by triggers inside every write's transaction). The
//! versions are read on every request, before anything else, so an entry is never served
//! after a committed write changed its inputs, whichever replica made the write. A rollup
//! as of a settled moment (more than [`SETTLED_AFTER_SECONDS`] ago) keys by the versions that
//! count changes of the past only, so later reports do not evict it; a rollup as of now keys
//! by the day (what is due depends on it) and gets the request's moment written into it.
//!
//! The cache is bounded by the bytes its entries hold (`ROPS_ROLLUP_CACHE_MB`).

use crate::export::Names;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use rops_aggregation::rollup::Rollup;
use rops_aggregation::Scope;
use rops_domain::period::Window;
use rops_store::rollups::Versions;
pub use rops_store::rollups::SETTLED_AFTER_SECONDS;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// As of when a rollup's figures are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Moment {
    /// Now (no `as_of` asked): the current state, on this day.
    Today(NaiveDate),
    /// As recorded at this moment.
    At(DateTime<Utc>),
}

impl Moment {
    /// The moment of a request: `as_of` when it asked for one, else now.
    pub fn of(as_of: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        as_of.map_or(Self::Today(now.date_naive()), Self::At)
    }

    /// Whether nothing recorded at this moment can change any more (see the store's
    /// [`SETTLED_AFTER_SECONDS`]).
    pub fn settled(self, now: DateTime<Utc>) -> bool {
        matches!(self, Self::At(t) if t <= now - chrono::Duration::seconds(SETTLED_AFTER_SECONDS))
    }

    /// The versions an entry at this moment depends on: of the region's past only when the
    /// moment is settled.
    fn versions(self, v: Versions, now: DateTime<Utc>) -> (i64, i64) {
        if self.settled(now) {
            (v.region_past, v.reference)
        } else {
            (v.region, v.reference)
        }
    }
}

/// Which rollup an entry holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    region: String,
    scope: Scope,
    window: Window,
    moment: Moment,
    approved_only: bool,
    deadline_days: i64,
    versions: (i64, i64),
}

/// What a key says besides the window; one per request.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub region: String,
    pub scope: Scope,
    pub moment: Moment,
    pub approved_only: bool,
    pub deadline_days: i64,
    pub versions: Versions,
    pub now: DateTime<Utc>,
}

impl Lookup {
    pub fn key(&self, window: Window) -> Key {
        Key {
            region: self.region.clone(),
            scope: self.scope.clone(),
            window,
            moment: self.moment,
            approved_only: self.approved_only,
            deadline_days: self.deadline_days,
            versions: self.moment.versions(self.versions, self.now),
        }
    }

    /// Names change with reference data and the register, as a settled moment's figures do.
    fn names_key(&self) -> NamesKey {
        (
            self.region.clone(),
            self.versions.region_past,
            self.versions.reference,
        )
    }
}

type NamesKey = (String, i64, i64);

/// A computed rollup with its JSON answer, made once.
#[derive(Debug)]
pub struct Cached {
    rollup: Rollup,
    /// The JSON answer around its `as_of` value: `head`, the moment, `tail`.
    head: Bytes,
    tail: Bytes,
}

/// What `as_of` is while the JSON is made, to be found and cut out.
const MARK: &str = "\u{1}";
const MARK_JSON: &[u8] = b"\"as_of\":\"\\u0001\"";

impl Cached {
    pub fn new(mut rollup: Rollup) -> Result<Self, serde_json::Error> {
        let as_of = std::mem::replace(&mut rollup.as_of, MARK.into());
        let json = serde_json::to_vec(&rollup)?;
        rollup.as_of = as_of;
        let at = json
            .windows(MARK_JSON.len())
            .position(|w| w == MARK_JSON)
            .ok_or_else(|| serde::ser::Error::custom("the rollup's JSON has no as_of"))?;
        let json = Bytes::from(json);
        let value_at = at + b"\"as_of\":\"".len();
        Ok(Self {
            head: json.slice(..value_at),
            tail: json.slice(value_at + "\\u0001".len()..),
            rollup,
        })
    }

    /// The code of the rollup's scope.
    pub fn scope_code(&self) -> &str {
        self.rollup.scope.code()
    }

    pub fn window(&self) -> Window {
        Window {
            from: self.rollup.from,
            to: self.rollup.to,
        }
    }

    /// The rollup, as of `now` when it was computed for the current state.
    pub fn rollup(&self, moment: Moment, now: DateTime<Utc>) -> Rollup {
        let mut r = self.rollup.clone();
        if matches!(moment, Moment::Today(_)) {
            r.as_of = rops_store::clock::stamp(now);
        }
        r
    }

    /// The JSON answer, as of `now` when it was computed for the current state.
    pub fn json(&self, moment: Moment, now: DateTime<Utc>) -> Vec<u8> {
        let as_of = match moment {
            Moment::Today(_) => rops_store::clock::stamp(now),
            Moment::At(_) => self.rollup.as_of.clone(),
        };
        let mut out = Vec::with_capacity(self.head.len() + as_of.len() + self.tail.len());
        out.extend_from_slice(&self.head);
        out.extend_from_slice(as_of.as_bytes());
        out.extend_from_slice(&self.tail);
        out
    }
}

#[derive(Clone)]
struct ByBytes;

impl Weighter<Key, Arc<Cached>> for ByBytes {
    fn weight(&self, key: &Key, val: &Arc<Cached>) -> u64 {
        // The JSON's size stands for the rollup's: both grow with its figures, the rollup
        // (many small strings and vectors) several times as fast as its JSON.
        (8 * (val.head.len() + val.tail.len()) + key.region.len() + 256) as u64
    }
}

/// Hits and misses since start.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub hits: u64,
    pub misses: u64,
}

pub struct RollupCache {
    rollups: Cache<Key, Arc<Cached>, ByBytes>,
    names: Cache<NamesKey, Arc<Names>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl RollupCache {
    /// A cache holding at most `bytes` of rollups; 0 keeps nothing.
    pub fn new(bytes: u64) -> Self {
        Self {
            rollups: Cache::with_weighter((bytes / 20_000).max(16) as usize, bytes.max(1), ByBytes),
            names: Cache::new(64),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn get(&self, key: &Key) -> Option<Arc<Cached>> {
        let found = self.rollups.get(key);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub fn insert(&self, key: Key, value: Arc<Cached>) {
        self.rollups.insert(key, value);
    }

    pub fn names(&self, lookup: &Lookup) -> Option<Arc<Names>> {
        self.names.get(&lookup.names_key())
    }

    pub fn insert_names(&self, lookup: &Lookup, names: Arc<Names>) {
        self.names.insert(lookup.names_key(), names);
    }

    pub fn stats(&self) -> Stats {
        Stats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

impl std::fmt::Debug for RollupCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RollupCache")
            .field("entries", &self.rollups.len())
            .field("bytes", &self.rollups.weight())
            .field("stats", &self.stats())
            .finish()
    }
}

//! Computed rollups, kept until a write changes what they were computed from.
//!
//! An entry is kept under everything its figures depend on: the region, the scope, the
//! window, the moment, the filter, and the versions the writes themselves bump in the database
//! (`rops_store::rollups::versions`, kept by triggers inside every write's transaction). The
//! versions are read on every request, before anything else, and an entry is served only to
//! a request that read the versions it was computed at, so it is never served after a
//! committed write changed its inputs, whichever replica made the write; the next rollup
//! computed for the same key replaces it. A rollup as of a settled moment (more than
//! [`SETTLED_AFTER_SECONDS`] ago) depends on the versions that count changes of the past only,
//! so later reports do not replace it; a rollup as of now is kept for the day (what is due
//! depends on it) and gets the request's moment written into it.
//!
//! The reference part of the inputs (territory, catalogues, targets, the register), the names
//! and the pages' gmina boundaries are kept beside the rollups ([`Kept`]) under the versions
//! that count changes of reference data and of the
//! region's past, so a rollup computed afresh after a report reads only its window's reports,
//! LPRES and events.
//!
//! The cache is bounded by the bytes its entries hold (`ROPS_ROLLUP_CACHE_MB`).

use crate::export::Names;
use actix_web::body::SizedStream;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use rops_aggregation::rollup::Rollup;
use rops_aggregation::Scope;
use rops_domain::period::Window;
pub use rops_store::rollups::SETTLED_AFTER_SECONDS;
use rops_store::rollups::{Reference, Versions};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

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

    /// The moment the store reads the history at; `None` for now, read from the current state.
    pub fn as_of(self) -> Option<DateTime<Utc>> {
        match self {
            Self::Today(_) => None,
            Self::At(t) => Some(t),
        }
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
struct Key {
    region: String,
    scope: Scope,
    window: Window,
    moment: Moment,
    approved_only: bool,
    deadline_days: i64,
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
    fn key(&self, window: Window) -> Key {
        Key {
            region: self.region.clone(),
            scope: self.scope.clone(),
            window,
            moment: self.moment,
            approved_only: self.approved_only,
            deadline_days: self.deadline_days,
        }
    }

    /// The versions this lookup's entries must have been computed at.
    fn entry_versions(&self) -> (i64, i64) {
        self.moment.versions(self.versions, self.now)
    }

    /// Names, as the reference part of the inputs, change with reference data and the
    /// register, as a settled moment's figures do.
    fn names_key(&self) -> NamesKey {
        (
            self.region.clone(),
            self.versions.region_past,
            self.versions.reference,
        )
    }
}

type NamesKey = (String, i64, i64);

/// A region's reference data of one kind, kept under the versions of reference data and of the
/// region's past (every write that changes it bumps one of them, and neither moves on a
/// report), so it is read again only after it changed.
pub struct Kept<T> {
    kept: Cache<NamesKey, Arc<T>>,
    /// How often it was read rather than found.
    reads: AtomicU64,
}

impl<T> Kept<T> {
    fn new() -> Self {
        Self {
            kept: Cache::new(64),
            reads: AtomicU64::new(0),
        }
    }

    /// What is kept for `lookup`'s region at its versions.
    pub fn get(&self, lookup: &Lookup) -> Option<Arc<T>> {
        self.kept.get(&lookup.names_key())
    }

    /// What is kept for `lookup`, or what `read` reads, kept from then on.
    pub fn get_or_read<E>(
        &self,
        lookup: &Lookup,
        read: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        if let Some(kept) = self.get(lookup) {
            return Ok(kept);
        }
        let value = Arc::new(read()?);
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.kept.insert(lookup.names_key(), value.clone());
        Ok(value)
    }
}

/// A region's gminas' boundaries, by TERYT code.
pub type Boundaries = std::collections::HashMap<String, rops_store::boundaries::Geometry>;

/// A computed rollup with its JSON answer, made once, and its workbook once asked for.
#[derive(Debug)]
pub struct Cached {
    rollup: Rollup,
    /// The JSON answer around its `as_of` value: `head`, the moment, `tail`.
    head: Bytes,
    tail: Bytes,
    /// The XLSX answer. A workbook holds no `as_of` and its names change only with versions
    /// that also replace this entry (every write bumping a region's past or the reference
    /// data bumps its version too), so one made from this entry is the answer for as long
    /// as the entry is served.
    xlsx: OnceLock<Bytes>,
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
            xlsx: OnceLock::new(),
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

    /// The rollup's figures as computed, read in place (its `as_of` is the moment it was
    /// computed at; [`Cached::rollup`] gives the request's).
    pub fn figures(&self) -> &Rollup {
        &self.rollup
    }

    /// The rollup, as of `now` when it was computed for the current state.
    pub fn rollup(&self, moment: Moment, now: DateTime<Utc>) -> Rollup {
        let mut r = self.rollup.clone();
        if matches!(moment, Moment::Today(_)) {
            r.as_of = rops_store::clock::stamp(now);
        }
        r
    }

    /// The workbook made from this rollup, if one was kept.
    pub fn xlsx(&self) -> Option<Bytes> {
        self.xlsx.get().cloned()
    }

    /// Keeps `workbook`, made from this rollup, for the requests served it after this one;
    /// the one kept first stays.
    pub fn keep_xlsx(&self, workbook: Bytes) -> Bytes {
        self.xlsx.get_or_init(|| workbook).clone()
    }

    /// The JSON answer, as of `now` when it was computed for the current state: the cached
    /// bytes around the moment, sent as they are (no copy per request).
    pub fn json(&self, moment: Moment, now: DateTime<Utc>) -> JsonBody {
        let as_of = match moment {
            Moment::Today(_) => Bytes::from(rops_store::clock::stamp(now)),
            Moment::At(_) => Bytes::from(self.rollup.as_of.clone()),
        };
        let size = self.head.len() + as_of.len() + self.tail.len();
        let parts = [self.head.clone(), as_of, self.tail.clone()];
        SizedStream::new(
            size as u64,
            futures_util::stream::iter(parts.map(Ok::<_, std::convert::Infallible>)),
        )
    }
}

/// A rollup's JSON answer: its parts, with their length.
pub type JsonBody = SizedStream<
    futures_util::stream::Iter<std::array::IntoIter<Result<Bytes, std::convert::Infallible>, 3>>,
>;

/// A rollup with the versions it was computed at. One per key: the next one computed replaces
/// it, so rollups of versions no request will ask for again do not stay until evicted.
#[derive(Clone)]
struct Entry {
    versions: (i64, i64),
    cached: Arc<Cached>,
}

#[derive(Clone)]
struct ByBytes;

impl Weighter<Key, Entry> for ByBytes {
    fn weight(&self, key: &Key, val: &Entry) -> u64 {
        // The JSON's size stands for the rollup's: both grow with its figures, the rollup
        // (many small strings and vectors) several times as fast as its JSON. One more JSON's
        // worth for the workbook that may be kept with it later (compressed, it is smaller).
        (9 * (val.cached.head.len() + val.cached.tail.len()) + key.region.len() + 256) as u64
    }
}

/// Hits and misses since start.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub hits: u64,
    pub misses: u64,
    /// How often the reference part of the inputs was read rather than found.
    pub references_read: u64,
    /// How many workbooks were made (the others were served as kept with their rollup).
    pub workbooks_made: u64,
    /// How often a region's boundaries were read rather than found.
    pub boundaries_read: u64,
}

pub struct RollupCache {
    rollups: Cache<Key, Entry, ByBytes>,
    /// The names the spreadsheets and pages write beside the codes.
    pub names: Kept<Names>,
    /// What the region's rollups read besides the window's reports, LPRES and events.
    pub references: Kept<Reference>,
    /// The region's gminas' boundaries, for the pages' maps.
    pub boundaries: Kept<Boundaries>,
    hits: AtomicU64,
    misses: AtomicU64,
    workbooks_made: AtomicU64,
}

impl RollupCache {
    /// A cache holding at most `bytes` of rollups; 0 keeps nothing.
    pub fn new(bytes: u64) -> Self {
        Self {
            rollups: Cache::with_weighter((bytes / 20_000).max(16) as usize, bytes.max(1), ByBytes),
            names: Kept::new(),
            references: Kept::new(),
            boundaries: Kept::new(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            workbooks_made: AtomicU64::new(0),
        }
    }

    /// The rollup of `window` for `lookup`, if one was computed at its versions.
    pub fn get(&self, lookup: &Lookup, window: Window) -> Option<Arc<Cached>> {
        let versions = lookup.entry_versions();
        let found = self
            .rollups
            .get(&lookup.key(window))
            .filter(|e| e.versions == versions)
            .map(|e| e.cached);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps `value`, the rollup of `window` for `lookup`, in place of the one kept before.
    /// (A request that read older versions may replace a newer entry: the next request then
    /// computes it again; versions of different kinds — a moment that became settled — are
    /// not comparable, so none is preferred.)
    pub fn insert(&self, lookup: &Lookup, window: Window, value: Arc<Cached>) {
        self.rollups.insert(
            lookup.key(window),
            Entry {
                versions: lookup.entry_versions(),
                cached: value,
            },
        );
    }

    /// How many rollups are kept.
    pub fn entries(&self) -> usize {
        self.rollups.len()
    }

    /// Counts a workbook made from a rollup.
    pub fn workbook_made(&self) {
        self.workbooks_made.fetch_add(1, Ordering::Relaxed);
    }

    pub fn stats(&self) -> Stats {
        Stats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            references_read: self.references.reads.load(Ordering::Relaxed),
            workbooks_made: self.workbooks_made.load(Ordering::Relaxed),
            boundaries_read: self.boundaries.reads.load(Ordering::Relaxed),
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

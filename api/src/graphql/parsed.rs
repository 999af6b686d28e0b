//! Parsed operations kept by their text. The same few operations come again and again (a
//! session-token refresh above all, every 50 s per signed-in tab), and parsing one costs several
//! microseconds, many times what a copy of the parsed document does. With each document, the
//! schema builds it passed the strict validation on are kept too (`validated`): a request it decides alone
//! is then validated only fast. So are the guard's verdict on it and, when it is a token
//! refresh, what the refresh needs to run without the executor (`refresh`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;

use super::refresh::Refresh;

/// The most documents kept; when full, the cache starts over (whoever sends new operations
/// without end costs the server only the parsing it would do anyway).
const CAPACITY: usize = 256;
/// Longer operations are parsed every time. A document is kept before it is validated, and
/// anyone may send one, so this bounds the memory: a parsed field takes about 200 bytes, so a
/// kilobyte of text (at most about 500 fields) about 100 KB, and the cache about 25 MB at worst.
const MAX_QUERY_BYTES: usize = 1024;

/// A document kept, and the schema builds it passed the strict validation on so far. Only a
/// document of one operation is ever recorded (`validated` decides no other), so the schema
/// build is all that tells one pass from another: whichever operation name a decided request
/// gives, it selects that one operation.
#[derive(Debug)]
pub struct Kept {
    document: ExecutableDocument,
    /// On the restricted build (index 0), on the open one (index 1): `usize::from(trusted)`.
    passed: [AtomicBool; 2],
    /// Why the guard refuses the document, for an untrusted and a trusted caller, once asked.
    refusals: [OnceLock<Option<String>>; 2],
    /// The refresh the document is, if it is one.
    refresh: Option<Arc<Refresh>>,
    /// How many requests ran it as a refresh without the executor.
    direct_runs: AtomicU64,
}

impl Kept {
    fn new(document: ExecutableDocument) -> Self {
        Self {
            refresh: Refresh::recognize(&document).map(Arc::new),
            document,
            passed: Default::default(),
            refusals: Default::default(),
            direct_runs: AtomicU64::new(0),
        }
    }

    /// The refresh the document is, counted as run without the executor (`refresh`).
    pub fn run_refresh(&self) -> Option<&Arc<Refresh>> {
        let refresh = self.refresh.as_ref()?;
        self.direct_runs.fetch_add(1, Ordering::Relaxed);
        Some(refresh)
    }

    /// How many requests ran the document as a refresh without the executor.
    pub fn direct_runs(&self) -> u64 {
        self.direct_runs.load(Ordering::Relaxed)
    }

    /// The document.
    pub fn document(&self) -> &ExecutableDocument {
        &self.document
    }

    /// The refresh the document is, if it is one (`refresh`).
    pub fn refresh(&self) -> Option<&Refresh> {
        self.refresh.as_deref()
    }

    /// Why the guard refuses the document for a `trusted` caller or not, worked out by `reason`
    /// the first time only.
    pub fn refusal(
        &self,
        trusted: bool,
        reason: impl FnOnce(&ExecutableDocument) -> Option<String>,
    ) -> Option<&str> {
        self.refusals[usize::from(trusted)]
            .get_or_init(|| reason(&self.document))
            .as_deref()
    }

    /// Whether the document passed the strict validation on the open (`trusted`) or the
    /// restricted build.
    pub fn has_passed(&self, trusted: bool) -> bool {
        self.passed[usize::from(trusted)].load(Ordering::Relaxed)
    }

    /// Records that the document passed the strict validation on that build.
    pub fn record_passed(&self, trusted: bool) {
        self.passed[usize::from(trusted)].store(true, Ordering::Relaxed);
    }
}

/// Documents by query text.
#[derive(Default)]
pub struct ParsedQueries {
    documents: RwLock<HashMap<String, Arc<Kept>>>,
}

impl ParsedQueries {
    /// What is kept for `query`, if anything.
    pub fn kept(&self, query: &str) -> Option<Arc<Kept>> {
        self.documents
            .read()
            .ok()
            .and_then(|documents| documents.get(query).cloned())
    }

    /// The request's parsed document: a copy of `kept` (what `kept` found for its text), or
    /// parsed now (and kept); with it, what is kept (`None` for a text too long to keep). A
    /// query that does not parse gives its error, as the schema would.
    pub fn parse<'r>(
        &self,
        request: &'r mut Request,
        kept: Option<Arc<Kept>>,
    ) -> (
        Result<&'r ExecutableDocument, async_graphql::ServerError>,
        Option<Arc<Kept>>,
    ) {
        let kept = match kept {
            Some(kept) => {
                request.set_parsed_query(kept.document.clone());
                Some(kept)
            }
            None if request.query.len() <= MAX_QUERY_BYTES => match request.parsed_query() {
                Ok(document) => {
                    let kept = Arc::new(Kept::new(document.clone()));
                    if let Ok(mut documents) = self.documents.write() {
                        if documents.len() >= CAPACITY {
                            documents.clear();
                        }
                        documents.insert(request.query.clone(), kept.clone());
                    }
                    Some(kept)
                }
                Err(_) => None,
            },
            None => None,
        };
        (request.parsed_query(), kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_document_is_the_one_parsing_gives() {
        let cache = ParsedQueries::default();
        let query = "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }";
        let parsed = async_graphql::parser::parse_query(query).unwrap();
        let mut first = Request::new(query);
        let (document, kept) = cache.parse(&mut first, cache.kept(query));
        assert_eq!(format!("{:?}", document.unwrap()), format!("{parsed:?}"));
        kept.unwrap().record_passed(true);
        let mut again = Request::new(query);
        let (document, kept) = cache.parse(&mut again, cache.kept(query));
        assert_eq!(format!("{:?}", document.unwrap()), format!("{parsed:?}"));
        let kept = kept.unwrap();
        assert!(kept.has_passed(true), "the same document, kept");
        assert!(!kept.has_passed(false), "not on the other schema");
        assert_eq!(cache.documents.read().unwrap().len(), 1);
    }

    #[test]
    fn a_bad_query_is_its_parse_error_and_is_not_kept() {
        let cache = ParsedQueries::default();
        let mut request = Request::new("{ unbalanced");
        let (document, kept) = cache.parse(&mut request, None);
        assert!(document.is_err());
        assert!(kept.is_none());
        assert!(cache.documents.read().unwrap().is_empty());
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = ParsedQueries::default();
        for i in 0..=CAPACITY {
            let mut request = Request::new(format!("{{ a{i}: __typename }}"));
            cache.parse(&mut request, None).0.unwrap();
        }
        assert_eq!(cache.documents.read().unwrap().len(), 1);
    }
}

//! Parsed operations kept by their text. The same few operations come again and again (a
//! session-token refresh above all, every 50 s per signed-in tab), and parsing one costs several
//! microseconds, many times what a copy of the parsed document does.

use std::collections::HashMap;
use std::sync::RwLock;

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;

/// The most documents kept; when full, the cache starts over (whoever sends new operations
/// without end costs the server only the parsing it would do anyway).
const CAPACITY: usize = 256;
/// Longer operations are parsed every time. A document is kept before it is validated, and
/// anyone may send one, so this bounds the memory: a parsed field takes about 200 bytes, so a
/// kilobyte of text (at most about 500 fields) about 100 KB, and the cache about 25 MB at worst.
const MAX_QUERY_BYTES: usize = 1024;

/// Documents by query text.
#[derive(Default)]
pub struct ParsedQueries {
    documents: RwLock<HashMap<String, ExecutableDocument>>,
}

impl ParsedQueries {
    /// The request's parsed document: a copy of the one kept for its text, or parsed now (and
    /// kept when short enough). A query that does not parse gives its error, as the schema would.
    pub fn parse<'r>(
        &self,
        request: &'r mut Request,
    ) -> Result<&'r ExecutableDocument, async_graphql::ServerError> {
        let kept = self
            .documents
            .read()
            .ok()
            .and_then(|documents| documents.get(&request.query).cloned());
        match kept {
            Some(document) => request.set_parsed_query(document),
            None if request.query.len() <= MAX_QUERY_BYTES => {
                let document = request.parsed_query()?.clone();
                if let Ok(mut documents) = self.documents.write() {
                    if documents.len() >= CAPACITY {
                        documents.clear();
                    }
                    documents.insert(request.query.clone(), document);
                }
            }
            None => {}
        }
        request.parsed_query()
    }

    /// How many documents are kept.
    pub fn len(&self) -> usize {
        self.documents.read().map_or(0, |documents| documents.len())
    }

    /// Whether no document is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
        let document = cache.parse(&mut first).unwrap();
        assert_eq!(format!("{document:?}"), format!("{parsed:?}"));
        let mut again = Request::new(query);
        let document = cache.parse(&mut again).unwrap();
        assert_eq!(format!("{document:?}"), format!("{parsed:?}"));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_bad_query_is_its_parse_error_and_is_not_kept() {
        let cache = ParsedQueries::default();
        let mut request = Request::new("{ unbalanced");
        assert!(cache.parse(&mut request).is_err());
        assert!(cache.is_empty());
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = ParsedQueries::default();
        for i in 0..=CAPACITY {
            let mut request = Request::new(format!("{{ a{i}: __typename }}"));
            cache.parse(&mut request).unwrap();
        }
        assert_eq!(cache.len(), 1);
    }
}

//! Logs: `tracing` to stderr, filtered by `RUST_LOG` (default `info`), as JSON or for people.
//! A line logged while a request runs names the request (`request_id::current`): at `info` a
//! request has no span to carry its id (a span per request cost about 3 % of a token refresh).

use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{Compact, DefaultFields, Format, Json, JsonFields, Writer};
use tracing_subscriber::fmt::{
    FmtContext, FormatEvent, FormatFields, MakeWriter, SubscriberBuilder,
};
use tracing_subscriber::registry::LookupSpan;

use crate::http::request_id;

/// How log lines look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One JSON object a line.
    Json,
    /// Readable lines.
    Pretty,
}

/// Installs the global subscriber (once; later calls do nothing).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = match format {
        LogFormat::Json => json(filter, std::io::stderr).try_init(),
        LogFormat::Pretty => pretty(filter, std::io::stderr).try_init(),
    };
}

/// JSON lines, with the event's fields at the top level and a `request_id` key inside a request.
fn json<W>(
    filter: EnvFilter,
    writer: W,
) -> SubscriberBuilder<JsonFields, WithRequestId<Format<Json>>, EnvFilter, W>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let format = tracing_subscriber::fmt::format()
        .json()
        .flatten_event(true)
        .with_current_span(true);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .fmt_fields(JsonFields::new())
        .event_format(WithRequestId {
            inner: format,
            json: true,
        })
}

/// Readable lines, starting with `request_id=…` inside a request.
fn pretty<W>(
    filter: EnvFilter,
    writer: W,
) -> SubscriberBuilder<DefaultFields, WithRequestId<Format<Compact>>, EnvFilter, W>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .event_format(WithRequestId {
            inner: tracing_subscriber::fmt::format().compact(),
            json: false,
        })
}

/// An event format that names the request being run (`request_id::current`), if any.
struct WithRequestId<F> {
    inner: F,
    json: bool,
}

impl<S, N, F> FormatEvent<S, N> for WithRequestId<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let Some(id) = request_id::current() else {
            return self.inner.format_event(ctx, writer, event);
        };
        if !self.json {
            write!(writer, "request_id={} ", id.0)?;
            return self.inner.format_event(ctx, writer, event);
        }
        // The id is hex: nothing to escape. Put first in the line's object.
        let mut line = String::new();
        self.inner
            .format_event(ctx, Writer::new(&mut line), event)?;
        match line.strip_prefix('{') {
            Some(rest) => write!(writer, "{{\"request_id\":\"{}\",{rest}", id.0),
            None => writer.write_str(&line),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::graphql::domain_error;
    use crate::http::request_id::RequestId;

    /// Log lines, written by a test's subscriber.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Lines {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    /// What `subscriber` (made with a writer into the lines) logs for an internal error inside
    /// the request `id` and a line outside any.
    async fn logged<S>(subscriber: impl FnOnce(Lines) -> S, id: &RequestId) -> String
    where
        S: tracing::Subscriber + Send + Sync + 'static,
    {
        let lines = Lines::default();
        let _default = tracing::subscriber::set_default(subscriber(lines.clone()));
        let shown = request_id::scope(id.clone(), async {
            domain_error(latchkey_domain::Error::internal(std::io::Error::other(
                "the disk is full",
            )))
        })
        .await;
        assert_eq!(shown.message, "internal error");
        tracing::info!("outside any request");
        lines.text()
    }

    #[tokio::test]
    async fn a_json_line_logged_inside_a_request_names_it() {
        let id = RequestId::random();
        let text = logged(
            |lines| json(EnvFilter::new("info"), move || lines.clone()).finish(),
            &id,
        )
        .await;
        let parsed: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(parsed.len(), 2, "{text}");
        assert_eq!(parsed[0]["request_id"], id.0.as_str(), "{text}");
        assert_eq!(parsed[0]["error"], "the disk is full", "{text}");
        assert!(parsed[1].get("request_id").is_none(), "{text}");
    }

    #[tokio::test]
    async fn a_readable_line_logged_inside_a_request_names_it() {
        let id = RequestId::random();
        let text = logged(
            |lines| pretty(EnvFilter::new("info"), move || lines.clone()).finish(),
            &id,
        )
        .await;
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].starts_with(&format!("request_id={} ", id.0)),
            "{text}"
        );
        assert!(lines[0].contains("the disk is full"), "{text}");
        assert!(!lines[1].contains("request_id"), "{text}");
    }
}

//! Message templates, kept as files in the repository and filled in here. Values are escaped for
//! HTML; placeholders are `{{name}}`.

use super::{Message, Sender};

const CODE_TEXT: &str = include_str!("../../templates/verification_code.txt");
const CODE_HTML: &str = include_str!("../../templates/verification_code.html");

fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{{{name}}}}}"), value)
        })
}

/// The message that carries a verification code.
pub fn verification_code(
    to: &str,
    from: &Sender<'_>,
    code: &str,
    lifetime_seconds: u32,
) -> Message {
    let instance_name = from.instance_name;
    let minutes = (lifetime_seconds / 60).max(1).to_string();
    let text_values = [
        ("code", code),
        ("instance", instance_name),
        ("minutes", minutes.as_str()),
    ];
    let escaped_name = escape_html(instance_name);
    let html_values = [
        ("code", code),
        ("instance", escaped_name.as_str()),
        ("minutes", minutes.as_str()),
    ];
    Message {
        to: to.to_owned(),
        from_address: from.address.to_owned(),
        from_name: from.name.to_owned(),
        subject: format!("{code} is your {instance_name} verification code"),
        text: fill(CODE_TEXT, &text_values),
        html: fill(CODE_HTML, &html_values),
        development: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_message_carries_the_code_and_escapes_the_name() {
        let from = Sender {
            address: "no-reply@x.test",
            name: "Acme <Dev>",
            instance_name: "Acme <Dev>",
        };
        let m = verification_code("a@example.com", &from, "123456", 600);
        assert_eq!(m.subject, "123456 is your Acme <Dev> verification code");
        assert!(
            m.text
                .starts_with("123456 is your Acme <Dev> verification code.")
        );
        assert!(m.text.contains("expires in 10 minutes"));
        assert!(m.html.contains("Acme &lt;Dev&gt;"));
        assert!(m.html.contains(">123456<"));
        assert!(!m.html.contains("{{"));
        assert_eq!(m.from_name, "Acme <Dev>");
    }
}

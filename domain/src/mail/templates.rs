//! Message templates, kept as files in the repository and filled in here. Values are escaped for
//! HTML; placeholders are `{{name}}`.

use super::{Message, Sender};

const CODE_TEXT: &str = include_str!("../../templates/verification_code.txt");
const CODE_HTML: &str = include_str!("../../templates/verification_code.html");

const INVITATION_TEXT: &str = include_str!("../../templates/organization_invitation.txt");
const INVITATION_HTML: &str = include_str!("../../templates/organization_invitation.html");

/// What an invitation message says.
#[derive(Clone, Copy, Debug)]
pub struct InvitationFacts<'a> {
    pub organization: &'a str,
    /// Where to accept it, when the inviter gave a page.
    pub link: Option<&'a str>,
    pub days: u32,
}

/// The message that carries an organization invitation.
pub fn organization_invitation(to: &str, from: &Sender<'_>, facts: InvitationFacts<'_>) -> Message {
    let days = facts.days.to_string();
    let text_link = facts
        .link
        .map(|l| format!("\n\nAccept it here: {l}"))
        .unwrap_or_default();
    let text_values = [
        ("organization", facts.organization),
        ("instance", from.instance_name),
        ("email", to),
        ("days", days.as_str()),
        ("link", text_link.as_str()),
    ];
    let html_link = facts
        .link
        .map(|l| {
            let l = escape_html(l);
            format!("<p><a href=\"{l}\">Accept the invitation</a></p>")
        })
        .unwrap_or_default();
    let (org, instance, email) = (
        escape_html(facts.organization),
        escape_html(from.instance_name),
        escape_html(to),
    );
    let html_values = [
        ("organization", org.as_str()),
        ("instance", instance.as_str()),
        ("email", email.as_str()),
        ("days", days.as_str()),
        ("link", html_link.as_str()),
    ];
    Message {
        to: to.to_owned(),
        from_address: from.address.to_owned(),
        from_name: from.name.to_owned(),
        subject: format!(
            "You are invited to join {} on {}",
            facts.organization, from.instance_name
        ),
        text: fill(INVITATION_TEXT, &text_values),
        html: fill(INVITATION_HTML, &html_values),
        development: false,
    }
}

/// Text for HTML: element content and quoted attribute values.
pub fn escape_html(value: &str) -> String {
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
    fn the_invitation_names_the_organization_and_escapes_the_link() {
        let from = Sender {
            address: "no-reply@x.test",
            name: "Acme",
            instance_name: "Acme",
        };
        let facts = InvitationFacts {
            organization: "Blue <Team>",
            link: Some("https://app.example/join?i=1&x=\"2\""),
            days: 30,
        };
        let m = organization_invitation("a@example.com", &from, facts);
        assert_eq!(m.subject, "You are invited to join Blue <Team> on Acme");
        assert!(
            m.text
                .contains("Accept it here: https://app.example/join?i=1&x=\"2\"")
        );
        assert!(m.html.contains("Blue &lt;Team&gt;"));
        assert!(
            m.html
                .contains("href=\"https://app.example/join?i=1&amp;x=&quot;2&quot;\"")
        );
        let none = organization_invitation(
            "a@example.com",
            &from,
            InvitationFacts {
                link: None,
                ..facts
            },
        );
        assert!(!none.text.contains("Accept it here"));
        assert!(none.text.contains("expires in 30 days"));
    }

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

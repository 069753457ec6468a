//! Problem documents in words: every field error the APIs name is shown next to the form
//! field it belongs to, and everything else above the form.

use std::collections::BTreeMap;

use kit::error::Problem;

use crate::api::ApiFailure;

/// What went wrong with a form, ready for a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    /// Messages about the form as a whole.
    pub general: Vec<String>,
    /// Messages by form field name.
    pub fields: BTreeMap<String, String>,
}

/// Sorts the API's answer to a submitted form: a refusal (400, 404, 409, 422) becomes the
/// errors to show next to the form's fields, any other failure stops the page.
pub trait Refusal<T> {
    /// `Ok(Ok(answer))`, `Ok(Err(errors))` for a refusal, or `Err` for any other failure
    /// (which `?` turns into the page's [`crate::error::ConsoleError`]).
    ///
    /// # Errors
    /// When the call failed without a refusal (a service away, a 5xx).
    fn refusal(self, form_fields: &[(&str, &str)]) -> Result<Result<T, FormErrors>, ApiFailure>;
}

impl<T> Refusal<T> for Result<T, ApiFailure> {
    fn refusal(self, form_fields: &[(&str, &str)]) -> Result<Result<T, FormErrors>, ApiFailure> {
        match self {
            Ok(answer) => Ok(Ok(answer)),
            Err(failure) if failure.is_refusal() => {
                Ok(Err(FormErrors::from_failure(&failure, form_fields)))
            }
            Err(failure) => Err(failure),
        }
    }
}

impl FormErrors {
    /// No errors.
    pub fn none() -> Self {
        Self::default()
    }

    /// One message about the whole form.
    pub fn general(message: impl Into<String>) -> Self {
        Self {
            general: vec![message.into()],
            fields: BTreeMap::new(),
        }
    }

    /// One message about one field.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::none();
        errors.fields.insert(name.to_string(), message.into());
        errors
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.general.is_empty() && self.fields.is_empty()
    }

    /// The message for `field`, or an empty string (templates test for emptiness).
    pub fn of(&self, field: &str) -> &str {
        self.fields.get(field).map_or("", String::as_str)
    }

    /// The attributes that tie an input to its message (`aria-invalid`,
    /// `aria-describedby`), empty when the field has none. `field` is one of the page's
    /// own field names, never the visitor's text.
    pub fn aria(&self, field: &str) -> String {
        if self.of(field).is_empty() {
            String::new()
        } else {
            format!(r#"aria-invalid="true" aria-describedby="{field}-error""#)
        }
    }

    /// The errors of a failed call. `form_fields` maps the API's field paths to the
    /// form's field names (`("price.amount", "price")`); an API field the form does not
    /// have, or a field the form names itself, is shown above the form with its name.
    pub fn from_failure(failure: &ApiFailure, form_fields: &[(&str, &str)]) -> Self {
        match failure {
            ApiFailure::Problem { problem, .. } => Self::from_problem(problem, form_fields),
            ApiFailure::Disabled(service) => Self::general(format!(
                "This store runs without the {service} service, so this cannot be done here."
            )),
            ApiFailure::Unavailable { service, .. } => Self::general(format!(
                "The {service} service is not answering. Please try again in a moment."
            )),
        }
    }

    fn from_problem(problem: &Problem, form_fields: &[(&str, &str)]) -> Self {
        let mut errors = Self::none();
        for error in &problem.errors {
            let field = form_fields
                .iter()
                .find(|(api, _)| *api == error.field || error.field.starts_with(&format!("{api}.")))
                .map(|(_, form)| *form);
            let message = sentence(&error.message);
            match field {
                Some(form) => {
                    errors
                        .fields
                        .entry(form.to_string())
                        .and_modify(|m| {
                            m.push(' ');
                            m.push_str(&message);
                        })
                        .or_insert(message);
                }
                None => errors.general.push(format!("{}: {message}", error.field)),
            }
        }
        // The summary goes first, above the form (announced by screen readers as an alert).
        errors.general.insert(0, summary(problem));
        errors
    }
}

/// A problem's summary in words.
pub fn summary(problem: &Problem) -> String {
    let detail = problem
        .detail
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(sentence);
    match problem.status {
        401 => "Please sign in again: your session has ended.".into(),
        403 => "Only staff can do this.".into(),
        429 => "Too many requests right now. Please wait a few seconds and try again.".into(),
        422 if !problem.errors.is_empty() => "Please correct the fields marked below.".into(),
        _ => detail.unwrap_or_else(|| sentence(&problem.title)),
    }
}

/// `text` starting with a capital letter and ending with a full stop.
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kit::error::FieldError;

    fn problem(status: u16, detail: Option<&str>, errors: Vec<FieldError>) -> ApiFailure {
        ApiFailure::Problem {
            service: "users",
            problem: Problem {
                problem_type: "about:blank".into(),
                title: "Validation failed".into(),
                status,
                detail: detail.map(str::to_string),
                errors,
            },
        }
    }

    #[test]
    fn field_errors_go_next_to_their_field() {
        let failure = problem(
            422,
            None,
            vec![
                FieldError::new("password", "must be at least 12 characters"),
                FieldError::new("price.amount", "must be positive"),
            ],
        );
        let errors =
            FormErrors::from_failure(&failure, &[("password", "password"), ("price", "price")]);
        assert_eq!(errors.of("password"), "Must be at least 12 characters.");
        assert_eq!(errors.of("price"), "Must be positive.");
        assert_eq!(
            errors.general,
            vec!["Please correct the fields marked below.".to_string()]
        );
    }

    #[test]
    fn a_field_the_form_lacks_is_shown_above_it_by_name() {
        let failure = problem(
            422,
            None,
            vec![FieldError::new("cursor", "is not valid for this list")],
        );
        let errors = FormErrors::from_failure(&failure, &[("q", "q")]);
        assert!(errors.fields.is_empty());
        assert_eq!(
            errors.general,
            vec![
                "Please correct the fields marked below.".to_string(),
                "cursor: Is not valid for this list.".to_string()
            ]
        );
    }

    #[test]
    fn a_conflict_is_its_detail_and_may_also_name_a_field() {
        let failure = problem(409, Some("the cart is empty"), vec![]);
        assert_eq!(
            FormErrors::from_failure(&failure, &[]).general,
            vec!["The cart is empty.".to_string()]
        );
        let failure = problem(
            409,
            Some("email already registered"),
            vec![FieldError::new("email", "is already registered")],
        );
        let errors = FormErrors::from_failure(&failure, &[("email", "email")]);
        assert_eq!(errors.of("email"), "Is already registered.");
        assert_eq!(
            errors.general,
            vec!["Email already registered.".to_string()]
        );
    }

    #[test]
    fn statuses_without_details_read_as_words() {
        let words = |status| {
            summary(&Problem {
                problem_type: "about:blank".into(),
                title: "Forbidden".into(),
                status,
                detail: None,
                errors: vec![],
            })
        };
        assert_eq!(words(403), "Only staff can do this.");
        assert!(words(429).starts_with("Too many requests"));
        assert_eq!(words(404), "Forbidden.");
        let down = FormErrors::from_failure(
            &ApiFailure::Unavailable {
                service: "cart",
                detail: "refused".into(),
            },
            &[],
        );
        assert_eq!(
            down.general,
            vec!["The cart service is not answering. Please try again in a moment.".to_string()]
        );
    }
}

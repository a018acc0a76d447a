//! erjian's domain: the rules of second-level professional registration, free of IO and HTTP.
//!
//! Everything here is plain data and pure functions: identifiers that parse once
//! ([`ids::ResidentId`], [`ids::CreditCode`]), professions and specialties as data
//! ([`profession`]), registration numbers ([`regno`]), validity and age rules ([`validity`]),
//! the application workflow as one transition function over an enum ([`workflow`]), the
//! initial-registration form's validation ([`application`]), the qualification-register CSV
//! import ([`qualification`]), photo checks ([`photo`]) and province profiles ([`province`]).
//! The clock is always a parameter: no function here reads the system time.

pub mod application;
pub mod calendar;
pub mod documents;
pub mod enterprise_csv;
pub mod ids;
pub mod legacy;
pub mod licence;
pub mod lifecycle;
pub mod materials;
pub mod notify;
pub mod photo;
pub mod profession;
pub mod province;
pub mod qualification;
pub mod regno;
pub mod standing;
pub mod text;
pub mod validity;
pub mod workflow;

/// A validation message for one form field, in the user's language (Chinese).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The form field's name, as in the HTML form and the JSON API.
    pub field: String,
    /// What is wrong and what to do, in Chinese.
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), message: message.into() }
    }
}

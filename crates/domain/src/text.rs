//! Length limits for every free-text field, in one place: the store checks them before anything
//! is written, and the forms show them (`maxlength` and a hint) from the same numbers.

/// Reasons for a return, refusal, sanction or cancellation, and review opinions.
pub const REASON_MAX: usize = 200;
/// A note beside a cancellation reason.
pub const NOTE_MAX: usize = 200;
/// A loss statement (遗失声明).
pub const STATEMENT_MAX: usize = 200;
/// A person's name.
pub const PERSON_NAME_MAX: usize = 30;
/// An enterprise's full name.
pub const ENTERPRISE_NAME_MAX: usize = 60;
/// A legal representative's or contact's name.
pub const CONTACT_NAME_MAX: usize = 30;
/// The purpose printed on a usage copy.
pub const PURPOSE_MAX: usize = 50;

/// `Err` with a Chinese message when `value` (trimmed) has more than `max` characters.
pub fn within(value: &str, max: usize, label: &str) -> Result<(), String> {
    let n = value.trim().chars().count();
    if n > max {
        Err(format!("{label}不能超过{max}个字（当前{n}个字）"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_characters_not_bytes() {
        assert!(super::within(&"字".repeat(200), 200, "理由").is_ok());
        let e = super::within(&"字".repeat(201), 200, "理由").unwrap_err();
        assert!(e.contains("200") && e.contains("201"), "{e}");
    }
}

//! OFD (GB/T 33190) for erjian: write packages with pages, text, images, vector paths and
//! metadata ([`writer`]); read any package back ([`reader`]); seal packages with GB/T 38540
//! (SES v4) electronic seals and verify them ([`seal`]). The cryptography (SM2 signatures with the
//! default user ID, SM3 digests, X.509 certificates) lives in one small module ([`crypto`]).
//! Malformed input gives an [`OfdError`], never a panic, and reading is bounded in memory
//! ([`package`]).

pub mod crypto;
pub mod der;
pub mod font;
pub mod package;
pub mod pkcs7;
pub mod reader;
pub mod seal;
pub mod ses;
pub mod ses_v1;
pub mod writer;
pub mod xml;

pub use package::Package;

/// Everything that can go wrong reading, writing, sealing or verifying.
#[derive(Debug, thiserror::Error)]
pub enum OfdError {
    #[error("not an OFD package (not a readable ZIP file): {0}")]
    NotZip(String),
    #[error("the package has no OFD.xml")]
    NoEntry,
    #[error("file {0} is missing from the package")]
    Missing(String),
    #[error("unsafe path in package: {0}")]
    UnsafePath(String),
    #[error("package too large: {0}")]
    TooLarge(String),
    #[error("broken XML in {file}: {message}")]
    Xml { file: String, message: String },
    #[error("malformed ASN.1/DER: {0}")]
    Asn1(String),
    #[error("cryptography: {0}")]
    Crypto(String),
    #[error("font: {0}")]
    Font(String),
}

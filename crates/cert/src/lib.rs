//! The electronic registration certificate (电子注册证书): its face as a list of drawing
//! operations ([`art`], [`face`]) rendered to OFD, the authority's round seal ([`seal_art`]), and
//! the deployment's certificate authority and seal ([`authority`]) that issue sealed files.

pub mod art;
pub mod authority;
pub mod compact;
pub mod face;
pub mod fonts;
pub mod form;
pub mod guilloche;
pub mod notice;
pub mod pdf;
pub mod seal_art;
pub mod statement;
pub mod synthetic;

pub use authority::{Authority, EmbeddedFont};
pub use face::CertificateData;

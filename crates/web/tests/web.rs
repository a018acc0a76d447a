//! erjian-web's integration tests, one module per story, linked into one test binary: one link
//! and one binary on disk instead of one per file (CI machines can be short of disk).

#[macro_use]
mod common;
mod ui;

mod abuse;
mod accounts;
mod api_journey;
mod attachments;
mod browser;
mod browser_identity;
mod browser_messages;
mod browser_publicity;
mod browser_trust;
mod browser_viewer;
mod browser_workbench;
mod bulk_data;
mod cancel_forms;
mod clearing;
mod compact_qr;
mod concurrency;
mod confirmations;
mod enterprise_review;
mod existing_register;
mod false_application;
mod holds;
mod lifecycle_public;
mod list_search;
mod lookup;
mod materials;
mod multi_process;
mod notices;
mod notifications;
mod ofd_viewer;
mod operations;
mod opinions;
mod pages_security;
mod procedure_pages;
mod province_fidelity;
mod province_rules;
mod publicity;
mod queue_filters;
mod real_name;
mod search;
mod second_factor;
mod shanghai_professions;
mod signing;
mod sms;
mod standing;
mod statistics;
mod status_bitstring;
mod tenant_certificates;
mod who_first;

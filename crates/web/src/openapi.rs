//! The OpenAPI 3.1 document for the JSON API, served at `/api/openapi.json`, generated from the
//! handlers (`#[utoipa::path]`) and their request and answer types ([`Typed`]); nothing in it is
//! written by hand. [`OPERATIONS`] lists what is routed: an integration test checks that every
//! routed operation is in the document and answers, and that every answer has a real schema.

use serde_json::Value;

/// Every documented operation as (method, path); used by the routing test.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("post", "/api/login"),
    ("post", "/api/logout"),
    ("post", "/api/signup/individual"),
    ("post", "/api/signup/enterprise"),
    ("get", "/api/me"),
    ("get", "/api/applications"),
    ("post", "/api/applications"),
    ("get", "/api/applications/{id}"),
    ("put", "/api/applications/{id}"),
    ("post", "/api/applications/{id}/actions"),
    ("get", "/api/batches"),
    ("post", "/api/batches"),
    ("post", "/api/batches/{id}/announce"),
    ("post", "/api/qualifications/import"),
    ("get", "/api/registrations"),
    ("get", "/api/signing"),
    ("post", "/api/signing/pin"),
    ("post", "/api/signing/pin/change"),
    ("post", "/api/signing/reset"),
    ("put", "/api/signing/image"),
    ("post", "/api/applications/{id}/sign"),
    ("get", "/api/applications/{id}/form"),
    ("get", "/api/certificates"),
    ("get", "/api/certificates/{id}/download"),
    ("get", "/api/verify/{licence}"),
    ("post", "/api/renewals"),
    ("get", "/api/admin/profile"),
    ("put", "/api/admin/profile"),
    ("post", "/api/cancellations"),
    ("get", "/api/reasons"),
    ("post", "/api/public/query"),
    ("get", "/api/public/detail/{token}"),
    ("post", "/api/public/check"),
    ("get", "/api/public/status-list"),
    ("get", "/api/public/status-list/bitstring"),
    ("get", "/api/public/keys"),
    ("post", "/api/certificates/reissue"),
    ("post", "/api/additions"),
    ("post", "/api/employer-changes"),
    ("post", "/api/personal-changes"),
    ("get", "/api/release-consents"),
    ("post", "/api/release-consents/{id}"),
    ("post", "/api/certificates/annotate"),
    ("get", "/api/cancellation-requests"),
    ("post", "/api/cancellation-requests"),
    ("post", "/api/cancellation-requests/{id}/confirm"),
    ("post", "/api/cancellation-requests/{id}/reject"),
    ("get", "/api/cancellation-requests/{id}/form"),
    ("post", "/api/lost-reissues"),
    ("post", "/api/temporary-transfers"),
    ("get", "/api/public/publicity"),
    ("get", "/api/public/publicity/{id}"),
    ("post", "/api/public/publicity/{id}/objections"),
    ("get", "/api/public/captcha"),
    ("post", "/api/objections/{id}/decision"),
    ("post", "/api/enterprises/{id}/rename"),
    ("get", "/api/rename-jobs/{id}"),
    ("post", "/api/registrations/import"),
    ("post", "/api/applications/clear-stale"),
    ("post", "/api/certificate-holds"),
    ("get", "/api/usage-copies"),
    ("post", "/api/usage-copies"),
    ("get", "/api/usage-copies/{token}/download"),
    ("get", "/api/verify/copy/{token}"),
    ("post", "/api/certificates/paper-exchange"),
    ("post", "/api/certificates/new-version"),
    ("post", "/api/account/password"),
    ("get", "/api/account/sessions"),
    ("delete", "/api/account/sessions/{id}"),
    ("post", "/api/password/forgot"),
    ("post", "/api/password/reset"),
    ("get", "/api/enterprise-reviews"),
    ("post", "/api/enterprise-reviews/{id}"),
    ("post", "/api/signup/code"),
    ("post", "/api/signup/enterprise/code"),
    ("get", "/api/login/second-factor"),
    ("post", "/api/login/second-factor"),
    ("post", "/api/account/real-name"),
    ("get", "/api/enterprise/profile"),
    ("put", "/api/enterprise/profile"),
    ("post", "/api/enterprises"),
    ("get", "/api/enterprises/{id}/licence"),
    ("post", "/api/enterprises/import"),
    ("get", "/api/applications/{id}/attachments"),
    ("get", "/api/applications/{id}/attachments/{aid}"),
    ("get", "/api/lookup"),
    ("get", "/api/notifications"),
    ("get", "/api/statistics"),
    ("get", "/api/applications/{id}/materials"),
    ("post", "/api/applications/{id}/materials"),
    ("get", "/api/applications/{id}/notices"),
    ("get", "/api/applications/{id}/notices/{nid}"),
    ("post", "/api/notifications/read"),
    ("put", "/api/notifications/sms"),
];

/// The operations described by their types.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        crate::check::status_api,
        crate::check::check_api,
        crate::check::status_list,
        crate::bitstring::bitstring,
        crate::check::keys,
        crate::public::query_api,
        crate::public::detail_api,
        crate::publicity::list_api,
        crate::publicity::batch_api,
        crate::publicity::objection_api,
        crate::publicity::captcha_api,
        crate::usage::verify_api,
        crate::api::login,
        crate::api::logout,
        crate::api::signup_individual,
        crate::api::signup_enterprise,
        crate::api::me,
        crate::pages::signup::code_api,
        crate::pages::signup::enterprise_code_api,
        crate::pages::second_factor::pending_api,
        crate::pages::second_factor::submit_api,
        crate::registrations::reasons,
        crate::pages::account::password_api,
        crate::pages::account::sessions_api,
        crate::pages::account::revoke_api,
        crate::signing::info_api,
        crate::usage::list_api,
        crate::registrations::reissue_api,
        crate::registrations::annotate_api,
        crate::holds::hold_api,
        crate::api::list,
        crate::api::create,
        crate::api::update,
        crate::api::show,
        crate::api::act,
        crate::api::batches,
        crate::api::start_publicity,
        crate::api::announce,
        crate::api::import,
        crate::api::clear_stale,
        crate::api::registrations,
        crate::api::profile_get,
        crate::api::profile_put,
        crate::signing::set_pin_api,
        crate::signing::change_pin_api,
        crate::signing::reset_api,
        crate::signing::image_api,
        crate::signing::sign_api,
        crate::signing::form_api,
        crate::certs::list_api,
        crate::certs::download_api,
        crate::registrations::renewal_api,
        crate::registrations::lost_reissue_api,
        crate::registrations::temp_transfer_api,
        crate::registrations::addition_api,
        crate::registrations::cancel_api,
        crate::registrations::rename_api,
        crate::registrations::rename_job_api,
        crate::changes::file,
        crate::changes::list,
        crate::changes::personal,
        crate::changes::decide,
        crate::cancel_requests::form_download_api,
        crate::cancel_requests::request_api,
        crate::cancel_requests::requests_api,
        crate::cancel_requests::confirm_api,
        crate::cancel_requests::reject_api,
        crate::exchange::import_api,
        crate::exchange::paper_api,
        crate::exchange::new_version_api,
        crate::publicity::decide_api,
        crate::usage::make_api,
        crate::usage::download_api,
        crate::notices::list_api,
        crate::notices::download_api,
        crate::pages::messages::list_api,
        crate::pages::messages::read_api,
        crate::pages::messages::sms_api,
        crate::pages::statistics::api,
        crate::pages::materials_api::upload_api,
        crate::pages::materials_api::slots_api,
        crate::pages::materials_api::attachments_api,
        crate::pages::materials_api::attachment_api,
        crate::pages::enterprise_review::list_api,
        crate::pages::enterprise_review::decide_api,
        crate::pages::enterprise_review::licence_api,
        crate::pages::enterprise_review::import_api,
        crate::pages::lookup::api,
        crate::pages::enterprise_profile::get_api,
        crate::pages::enterprise_profile::put_api,
        crate::pages::enterprise_profile::create_api,
        crate::pages::forgot::request_api,
        crate::pages::forgot::reset_api,
        crate::pages::real_name::submit_api,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Bearer),
    info(title = "erjian API", description = "二级注册建造师注册管理系统接口。登录（POST /api/login）后以 Authorization: Bearer TOKEN 调用；标明无需令牌的接口除外。错误一律为 ErrorBody：中文说明与出错的字段。")
)]
pub struct Typed;

/// The bearer token every operation needs unless it says `security: [{}]`: the scheme, and the
/// document's default requirement.
struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        doc.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new())]);
    }
}

/// `(method, path)` of every operation generated from types.
pub fn typed_operations() -> Vec<(String, String)> {
    let doc = document();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
            out.push((method.clone(), path.clone()));
        }
    }
    out
}

/// The served document, generated from the handlers and their types (once per process).
pub fn document() -> &'static Value {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(<Typed as utoipa::OpenApi>::openapi()).expect("the generated document serialises"))
}

/// A file in an answer (OFD, PDF, an image): bytes, described as a binary string.
pub struct File;

impl utoipa::PartialSchema for File {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))).into()
    }
}

impl utoipa::ToSchema for File {}

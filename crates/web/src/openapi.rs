//! The OpenAPI 3.1 document for the JSON API, served at `/api/openapi.json`. Operations whose
//! handlers carry `#[utoipa::path]` are generated from their request and answer types
//! ([`Typed`]) and take the place of the hand-written ones; the rest are still written here by
//! hand beside the routes in [`crate::api`]. An integration test checks that every documented
//! operation is routed and that the generated ones describe every answer.

use serde_json::{json, Value};

fn err() -> Value {
    json!({ "description": "错误：{error, fields}", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn op(summary: &str, body: Option<&str>, ok: &str) -> Value {
    let mut o = json!({
        "summary": summary,
        "responses": {
            "200": { "description": ok, "content": { "application/json": { "schema": { "type": "object" } } } },
            "401": err(), "403": err(), "404": err(), "409": err(), "422": err()
        }
    });
    if let Some(schema) = body {
        o["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
    }
    o
}

fn id_param() -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }])
}

/// An operation open to everyone (no token), with its parameters.
fn public(mut o: Value, params: &[(&str, &str)]) -> Value {
    o["security"] = json!([]);
    if !params.is_empty() {
        o["parameters"] = params
            .iter()
            .map(|(name, at)| json!({ "name": name, "in": at, "required": *at == "path", "schema": { "type": "string" } }))
            .collect();
    }
    o
}

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
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Bearer)
)]
pub struct Typed;

/// The bearer token every operation needs unless it says `security: [{}]`.
struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// `(method, path)` of every operation generated from types.
pub fn typed_operations() -> Vec<(String, String)> {
    let doc = serde_json::to_value(<Typed as utoipa::OpenApi>::openapi()).expect("the generated document serialises");
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
            out.push((method.clone(), path.clone()));
        }
    }
    out
}

/// The served document: the generated operations over the hand-written ones.
pub fn document() -> Value {
    let mut doc = hand_written();
    let typed = serde_json::to_value(<Typed as utoipa::OpenApi>::openapi()).expect("the generated document serialises");
    for (path, item) in typed["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            doc["paths"][path][method] = op.clone();
        }
    }
    for (name, schema) in typed["components"]["schemas"].as_object().into_iter().flatten() {
        doc["components"]["schemas"][name] = schema.clone();
    }
    doc
}

fn hand_written() -> Value {
    let states: Vec<&str> = erjian_domain::workflow::State::ALL.iter().map(|s| s.code()).collect();
    let actions: Vec<&str> = erjian_domain::workflow::Action::ALL.iter().map(|a| a.code()).collect();
    let with_id = |mut v: Value| {
        v["parameters"] = id_param();
        v
    };
    let mut import = op("导入资格库（CSV，全部成功或全部不导入）", None, "{imported}");
    import["requestBody"] = json!({ "required": true, "content": { "text/csv": { "schema": { "type": "string" } } } });
    let mut list = op("申请列表（按角色和租户过滤）", None, "{applications: [...]}");
    list["parameters"] = json!([{ "name": "state", "in": "query", "schema": { "type": "string" }, "description": "逗号分隔的状态代码" }]);
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": { "title": "erjian API", "version": env!("CARGO_PKG_VERSION"), "description": "二级注册建造师注册管理系统接口。登录后以 Authorization: Bearer TOKEN 调用。" },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": { "type": "object", "properties": { "error": { "type": "string" }, "fields": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } } } },
                "Login": { "type": "object", "required": ["username", "password"], "properties": { "username": { "type": "string" }, "password": { "type": "string" } } },
                "IndividualSignup": { "type": "object", "required": ["name", "id_number", "mobile", "password", "code"], "properties": { "id_type": { "enum": erjian_domain::documents::DocumentKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(), "description": "证件类型，缺省为居民身份证" }, "name": { "type": "string" }, "id_number": { "type": "string" }, "mobile": { "type": "string" }, "password": { "type": "string" }, "code": { "type": "string", "description": "发往 mobile 的短信验证码（/api/signup/code）" }, "gender": { "enum": ["男", "女"], "description": "通行证、护照须填" }, "birth_date": { "type": "string", "format": "date", "description": "通行证、护照须填" } } },
                "EnterpriseSignup": { "type": "object", "required": ["name", "credit_code", "city_code", "legal_rep", "password", "contact_name", "contact_mobile", "address"], "properties": { "name": { "type": "string" }, "credit_code": { "type": "string" }, "city_code": { "type": "string" }, "legal_rep": { "type": "string" }, "password": { "type": "string" }, "contact_name": { "type": "string" }, "contact_mobile": { "type": "string" }, "code": { "type": "string", "description": "发往联系人手机的短信验证码（自助注册须填）" }, "address": { "type": "string" }, "phone": { "type": "string" }, "licence_base64": { "type": "string", "description": "营业执照扫描件（JPG/PNG，base64；自助注册须填）" } } },
                "Application": { "type": "object", "properties": {
                    "enterprise_name": { "type": "string" }, "mobile": { "type": "string" },
                    "specialties": { "type": "array", "items": { "type": "string" }, "description": "专业代码，如 10401001" },
                    "ce_compulsory": { "type": "integer" }, "ce_elective": { "type": "integer" }, "declaration": { "type": "boolean" },
                    "photo_base64": { "type": "string" }, "submit": { "type": "boolean" } } },
                "Action": { "type": "object", "required": ["action"], "properties": { "action": { "enum": actions }, "reason": { "type": "string" }, "version": { "type": "integer" }, "false_materials": { "type": "boolean", "description": "与 refuse / refuse_acceptance 一起：认定隐瞒有关情况或者提供虚假材料，申请人一年内不得再次申请注册" } } },
                "Batch": { "type": "object", "properties": { "application_ids": { "type": "array", "items": { "type": "integer" } } } },
                "Pin": { "type": "object", "required": ["pin"], "properties": { "pin": { "type": "string", "minLength": 8, "maxLength": 16 } } },
                "PinChange": { "type": "object", "required": ["old_pin", "new_pin"], "properties": { "old_pin": { "type": "string" }, "new_pin": { "type": "string" } } },
                "PinReset": { "type": "object", "required": ["password", "new_pin"], "properties": { "password": { "type": "string" }, "new_pin": { "type": "string" } } },
                "Image": { "type": "object", "required": ["image_base64"], "properties": { "image_base64": { "type": "string" } } },
                "State": { "enum": states },
                "Renewal": { "type": "object", "required": ["specialties"], "properties": { "submit": { "type": "boolean" }, "applicant_id_number": { "type": "string" }, "specialties": { "type": "array", "items": { "type": "object", "required": ["specialty", "compulsory", "elective"], "properties": { "specialty": { "type": "string" }, "compulsory": { "type": "integer" }, "elective": { "type": "integer" } } } } } },
                "Cancellation": { "type": "object", "required": ["registration_number", "reason"], "properties": { "registration_number": { "type": "string" }, "specialties": { "type": "array", "items": { "type": "string" } }, "reason": { "type": "string", "description": "GET /api/reasons 中的 cancellation 代码" }, "note": { "type": "string" } } },
                "PublicQuery": { "type": "object", "required": ["name", "profession"], "properties": { "name": { "type": "string" }, "profession": { "enum": ["constructor2", "temp_constructor2", "architect2", "structural2"] }, "id_number": { "type": "string" }, "registration_number": { "type": "string" }, "certificate_number": { "type": "string" } } }
            }
        },
        "security": [{ "bearer": [] }],
        "paths": {
            "/api/login": { "post": op("登录，返回令牌", Some("Login"), "{token, user}") },
            "/api/logout": { "post": op("退出登录", None, "204") },
            "/api/signup/individual": { "post": op("个人实名注册", Some("IndividualSignup"), "{token, user}") },
            "/api/signup/enterprise": { "post": op("企业注册", Some("EnterpriseSignup"), "{token, user}") },
            "/api/me": { "get": op("当前用户", None, "Actor") },
            "/api/applications": { "get": list, "post": op("新建初始注册申请（submit=true 直接提交企业确认）", Some("Application"), "申请详情") },
            "/api/applications/{id}": { "get": with_id(op("申请详情（含状态栏和办理记录）", None, "申请详情")), "put": with_id(op("修改草稿或退回的申请", Some("Application"), "申请详情")) },
            "/api/applications/{id}/actions": { "post": with_id(op("办理：提交、撤回、企业确认/退回、受理、初审、复审、退回补正、不予注册", Some("Action"), "{state}")) },
            "/api/batches": { "get": op("公示批次列表", None, "{batches}"), "post": op("生成公示批次（省级）", Some("Batch"), "批次") },
            "/api/batches/{id}/announce": { "post": with_id(op("公示期满发布公告，生成注册编号", None, "{announced}")) },
            "/api/qualifications/import": { "post": import },
            "/api/registrations": { "get": op("本人或本单位的注册信息", None, "{registrations}") },
            "/api/signing": { "get": op("本人或本单位的签名证书状态", None, "{key}") },
            "/api/signing/pin": { "post": op("设置签名密码并签发签名证书（8–16位）", Some("Pin"), "201") },
            "/api/signing/pin/change": { "post": op("修改签名密码", Some("PinChange"), "204") },
            "/api/signing/reset": { "post": op("忘记签名密码：验证登录密码后重新签发，原证书作废", Some("PinReset"), "201") },
            "/api/signing/image": { "put": op("上传手写签名或企业印章图片", Some("Image"), "204") },
            "/api/applications/{id}/sign": { "post": with_id(op("申请人签名或企业盖章（输入签名密码）", Some("Pin"), "{state}")) },
            "/api/applications/{id}/form": { "get": with_id(op("下载申请表（OFD，含签名；format=pdf 为查看用 PDF）", None, "application/ofd")) },
            "/api/certificates": { "get": op("本人或本单位人员的电子证书", None, "{certificates}") },
            "/api/certificates/{id}/download": { "get": with_id(op("下载电子证书（format=ofd|pdf）", None, "application/ofd 或 application/pdf")) },
            "/api/verify/{licence}": { "get": public(op("证书实时状态（二维码核验；s= 为二维码中的签名声明，一并核验）", None, "{verdict: {code, headline, why}, status, certificate, statement}：verdict 为唯一结论"), &[("licence", "path"), ("s", "query")]) }
        }
    });
    doc["paths"]["/api/admin/profile"] = json!({
        "get": op("省份配置：当前运行的与已保存待重启生效的（系统管理员）", None, "{running, saved}"),
        "put": op("检查并保存省份配置（请求体为配置文件的 JSON；只能是本省；重启后生效）", None, "{saved, applies}")
    });
    doc["paths"]["/api/renewals"] = json!({ "post": op("延续注册申请（个人；各专业学时，submit=true 直接提交签名；企业申报的省份，企业以 applicant_id_number 为本单位人员代为申报）", Some("Renewal"), "申请详情") });
    doc["paths"]["/api/cancellations"] = json!({ "post": op("注销注册（企业注销本单位人员或主管部门注销；specialties 为空即全部注销；即时生效）", Some("Cancellation"), "{registration_number, whole, new_licence_id}") });
    doc["paths"]["/api/reasons"] = json!({ "get": op("注销原因和不予注册理由（可选列表）", None, "{cancellation, refusal}") });
    doc["paths"]["/api/public/query"] = json!({ "post": public(op("人员信息查询：姓名 + 注册类别 + 身份证号/注册编号/证书编号之一，精确匹配；身份证号脱敏", Some("PublicQuery"), "{record, detail}"), &[]) });
    doc["paths"]["/api/public/detail/{token}"] =
        json!({ "get": public(op("注册轨迹（凭查询结果中的令牌，30分钟内有效）", None, "{record, history}"), &[("token", "path")]) });
    doc["paths"]["/api/public/check"] = json!({ "post": public(json!({ "summary": "上传 OFD 证书文件：核验电子印章并返回实时状态", "requestBody": { "required": true, "content": { "application/ofd": { "schema": { "type": "string", "format": "binary" } } } }, "responses": { "200": { "description": "{verdict: {code, headline, why}, seal_valid, summary, failures, certificate}：verdict 为唯一结论（有效/已失效/可能伪造/无法核验）" }, "422": err() } }), &[]) });
    doc["paths"]["/api/public/status-list"] = json!({ "get": public(op("签名的证书状态列表（供审计逐页读取：after 为上一页的 next，limit 每页至多10000条；每页单独签名，用 status_list 公钥验证 signature）", None, "{version, after, next, list, signature, certificate}"), &[]) });
    doc["paths"]["/api/public/status-list/bitstring"] = json!({ "get": public(op("压缩的位串状态列表（每张证书按其二维码中的序号占2位：00有效、01暂扣、10已失效；gzip+base64url，整体签名；支持 ETag/If-None-Match）", None, "{version, length, list, signature, certificate}"), &[]) });
    doc["paths"]["/api/public/keys"] =
        json!({ "get": public(op("核验用公钥证书：根证书、二维码声明、状态列表", None, "{root, qr_statement, status_list}"), &[]) });
    doc["paths"]["/api/certificates/reissue"] = json!({ "post": op("重新制证（kind=remake）或遗失补办（kind=lost_reissue，statement 为遗失声明）：立即签发新证书，原证书作废", None, "{licence_id}") });
    doc["paths"]["/api/enterprises/{id}/rename"] = json!({ "post": with_id(op("企业名称变更（省级）：更名并为该企业全部注册人员换发证书，后台成批办理，返回批次", None, "202 {id, total, done, status}")) });
    doc["paths"]["/api/rename-jobs/{id}"] = json!({ "get": with_id(op("企业更名批次进度", None, "{id, total, done, status}")) });
    doc["paths"]["/api/additions"] = json!({ "post": op("增项注册申请（个人；specialties 为资格库中有资格、尚未注册的专业代码，submit=true 直接提交签名；企业申报的省份，企业以 applicant_id_number 代为申报）", None, "申请详情") });
    doc["paths"]["/api/cancellation-requests"] = json!({
        "get": op("本人或本单位人员的注销申请", None, "{requests}"),
        "post": op("本人申请注销（specialties 为空即全部；reason 为注销原因代码；pin 为签名密码，在注销注册申请表上签名），待聘用企业盖章确认", None, "201 {id, state}")
    });
    doc["paths"]["/api/cancellation-requests/{id}/confirm"] = json!({ "post": with_id(op("聘用企业确认本人注销申请（pin 为本单位签名密码，在申请表上盖章）：注销即时生效", None, "{state, outcome}")) });
    doc["paths"]["/api/public/publicity"] = json!({ "get": public(op("公示公告批次（最新在前，每页20个；before= 为上一页最后一个批次号）", None, "{batches}"), &[("before", "query")]) });
    doc["paths"]["/api/public/publicity/{id}"] = json!({ "get": public(op("一个公示批次：公示期、状态和公示对象（身份证号脱敏）", None, "{batch, starts_on, stage, objections_open, entries}"), &[("id", "path")]) });
    doc["paths"]["/api/public/publicity/{id}/objections"] = json!({ "post": public(op("公示期内提出异议（entry 为公示对象，facts 事实和理由，contact_name、contact_phone；captcha_token、captcha 为验证码）", None, "201 {number, message}"), &[("id", "path")]) });
    doc["paths"]["/api/temporary-transfers"] = json!({ "post": op("二级临时建造师变更（湖南：新聘用企业以 name、id_number 指明人员发起；本单位盖章、本人签名，原聘用企业同意转出后由省厅审核）", None, "申请详情") });
    doc["paths"]["/api/lost-reissues"] = json!({ "post": op("遗失补办申请（湖南：由聘用企业以 applicant_id_number 为本单位人员申报，statement 为遗失声明，经主管部门审核后补发新证书）", None, "申请详情") });
    doc["paths"]["/api/public/captcha"] = json!({ "get": public(op("一次性图形验证码（五分钟内有效）", None, "{token, image}"), &[]) });
    doc["paths"]["/api/objections/{id}/decision"] = json!({ "post": with_id(op("省级主管部门核查公示异议（decision：refuse 成立不予注册、return 成立退回、dismiss 不成立；finding 核查意见）", None, "{state}")) });
    doc["paths"]["/api/cancellation-requests/{id}/form"] = json!({ "get": with_id(op("已签署的注销注册申请表（OFD；format=pdf 为打印版）：本人、聘用企业和主管部门", None, "OFD 或 PDF 文件")) });
    doc["paths"]["/api/cancellation-requests/{id}/reject"] =
        json!({ "post": with_id(op("聘用企业退回本人注销申请（须填理由）", None, "{state}")) });
    let mut legacy = op("导入存量注册（CSV：注册编号,姓名,身份证号,注册类别,企业统一社会信用代码,专业,有效期起,有效期至；每专业一行；全部成功或全部不导入）", None, "{imported}");
    legacy["requestBody"] = json!({ "required": true, "content": { "text/csv": { "schema": { "type": "string" } } } });
    doc["paths"]["/api/registrations/import"] = json!({ "post": legacy });
    doc["paths"]["/api/usage-copies"] = json!({
        "get": op("本人的使用件列表", None, "{copies}"),
        "post": op("生成使用件（上海）：{purpose, days}，天数不超过省份配置且不超过证书有效期", None, "{copy, download}")
    });
    doc["paths"]["/api/usage-copies/{token}/download"] = json!({ "get": op("下载使用件（OFD，带电子印章）", None, "OFD 文件") });
    doc["paths"]["/api/verify/copy/{token}"] =
        json!({ "get": public(op("核验使用件：使用件期限与所依据证书的实时状态", None, "{copy, certificate}"), &[]) });
    doc["paths"]["/api/certificate-holds"] = json!({ "post": op("主管部门暂扣（suspend）、恢复（restore）或撤销（revoke）证书：{registration_number, action, reason}；撤销同时终止注册", None, "{registration_number, certificate_status}") });
    doc["paths"]["/api/applications/clear-stale"] =
        json!({ "post": op("逾期清理（系统管理员）：创建满90天仍未受理的申请立即清理（服务器每小时自动执行）", None, "{cleared}") });
    doc["paths"]["/api/certificates/paper-exchange"] =
        json!({ "post": op("纸质证书换领电子证书：{photo_base64, confirm: true}，立即签发首张电子证书", None, "{licence_id}") });
    doc["paths"]["/api/certificates/new-version"] =
        json!({ "post": op("换领新版电子证书（上海）：{signature_base64}，有效期不变，原证书作废；每天一次", None, "{licence_id}") });
    doc["paths"]["/api/certificates/annotate"] = json!({ "post": op("证照加注（安徽）：使用有效期届满前15日内延长180天，封顶注册有效期和年龄上限；每天一次", None, "{licence_id}") });
    doc["paths"]["/api/employer-changes"] = json!({ "post": op("变更执业企业（个人；enterprise_name 为新聘用企业全称；新企业盖章、原企业同意转出后受理；一年内不得再次变更）", None, "申请详情") });
    doc["paths"]["/api/release-consents"] = json!({ "get": op("原聘用企业：待同意的转出申请", None, "{releases}") });
    doc["paths"]["/api/release-consents/{id}"] =
        json!({ "post": with_id(op("原聘用企业同意转出（consent=true）或不同意（须填 reason）", None, "{state}")) });
    doc["paths"]["/api/account/password"] = json!({ "post": op("修改登录密码：{old_password, new_password}；新密码不能包含登录名、不能与签名密码相同；其他会话全部退出", None, "204") });
    doc["paths"]["/api/account/sessions"] = json!({ "get": op("本人的登录会话（不含令牌）", None, "{sessions}") });
    doc["paths"]["/api/account/sessions/{id}"] = json!({ "delete": with_id(op("退出本人的一个登录会话", None, "204")) });
    doc["paths"]["/api/password/forgot"] = json!({ "post": public(op("找回密码：{username}；账号登记了手机的，向该手机发送6位验证码（5分钟、5次）；应答与账号是否存在无关", None, "{message}"), &[]) });
    doc["paths"]["/api/password/reset"] =
        json!({ "post": public(op("用短信验证码重置密码：{username, code, new_password}；全部会话退出", None, "204"), &[]) });
    doc["paths"]["/api/enterprise-reviews"] = json!({ "get": op("待审核的企业（市级主管部门：本市；省级：全部）", None, "{enterprises}") });
    doc["paths"]["/api/enterprise-reviews/{id}"] =
        json!({ "post": with_id(op("企业审核：{approve, reason}；不予通过须填写理由", None, "{status}")) });
    doc["paths"]["/api/signup/code"] = json!({ "post": public(op("个人注册短信验证码：{id_type, id_number, name, mobile}；证件号码已开户时发往登记手机，回答相同", None, "202 {message}"), &[]) });
    doc["paths"]["/api/signup/enterprise/code"] = json!({ "post": public(op("企业注册短信验证码（发往联系人手机）：企业注册各字段", Some("EnterpriseSignup"), "202 {message}"), &[]) });
    doc["paths"]["/api/login/second-factor"] = json!({
        "get": op("待完成第二重验证的登录：须绑定（Enrol: secret, uri）或输入动态口令（Code）；以登录返回的 pending_token 调用", None, "Pending"),
        "post": op("提交动态口令 {code}，完成登录；令牌即 pending_token", None, "{token, user}")
    });
    doc["paths"]["/api/account/real-name"] =
        json!({ "post": op("人脸识别实名核验：{face_base64}；演示服务不比对人脸（demo=true）", None, "{passed, provider, demo}") });
    doc["paths"]["/api/enterprise/profile"] = json!({
        "get": op("本单位信息", None, "Enterprise"),
        "put": op("修改本单位联系信息与资质：{contact_name, contact_mobile, address, phone, qualification}；名称须经主管部门更名", None, "Enterprise")
    });
    doc["paths"]["/api/enterprises"] = json!({ "post": op("主管部门创建企业账号（现场核验后，立即可用；市级仅限本市）", Some("EnterpriseSignup"), "201 {id, username, status}") });
    doc["paths"]["/api/enterprises/{id}/licence"] =
        json!({ "get": with_id(op("营业执照扫描件（审核的主管部门或企业本身）", None, "image/png 或 image/jpeg")) });
    let mut enterprise_import = op("主管部门批量导入企业账号（CSV：企业名称,统一社会信用代码,注册所在地,法定代表人,企业住所,联系人,联系人手机,办公电话；全部成功或全部不导入）", None, "{created: [{username, name, initial_password}]}");
    enterprise_import["requestBody"] = json!({ "required": true, "content": { "text/csv": { "schema": { "type": "string" } } } });
    doc["paths"]["/api/enterprises/import"] = json!({ "post": enterprise_import });
    doc["paths"]["/api/applications/{id}/attachments"] =
        json!({ "get": with_id(op("申请材料列表（可查看该申请者）：类别、大小、SM3 摘要", None, "{attachments}")) });
    let mut one = op("一份申请材料（图片）", None, "image/png 或 image/jpeg");
    one["parameters"] = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }, { "name": "aid", "in": "path", "required": true, "schema": { "type": "integer" } }]);
    doc["paths"]["/api/applications/{id}/attachments/{aid}"] = json!({ "get": one });
    let mut lookup = op("注册信息查询（主管部门，辖区内）：q 为证件号码或注册编号；人员、注册及各版证书、申请", None, "PersonFile");
    lookup["parameters"] = json!([{ "name": "q", "in": "query", "required": true, "schema": { "type": "string" } }]);
    doc["paths"]["/api/lookup"] = json!({ "get": lookup });
    doc["paths"]["/api/notifications"] =
        json!({ "get": op("消息中心（个人、企业）：最新200条消息、未读数、是否短信通知", None, "{notifications, unread, sms}") });
    doc["paths"]["/api/statistics"] = json!({ "get": op("统计分析（主管部门，辖区内）：申请按状态、类型、城市、月份，超期与即将到期件数，申报至决定平均工作日，有效注册按专业与有效期年份", None, "Statistics") });
    doc["paths"]["/api/applications/{id}/notices"] = json!({ "get": with_id(op("申请的文书（受理通知书、不予受理通知书、补正材料通知书、不予注册决定书、准予注册决定书）：文号、经办人、意见", None, "{notices}")) });
    let mut notice = op("下载一份文书：format=ofd（主管部门电子印章签章）或 pdf（版式呈现）", None, "application/ofd 或 application/pdf");
    notice["parameters"] = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }, { "name": "nid", "in": "path", "required": true, "schema": { "type": "integer" } }, { "name": "format", "in": "query", "schema": { "enum": ["ofd", "pdf"] } }]);
    doc["paths"]["/api/applications/{id}/notices/{nid}"] = json!({ "get": notice });
    doc["paths"]["/api/applications/{id}/materials"] = json!({
        "get": with_id(op("申请材料栏目（按业务类型和省份配置）：类型、大小上限、是否必传、已上传的文件及 SM3", None, "{slots}")),
        "post": with_id(op("上传或更换一项材料：{slot, file_base64}；PDF、JPG、PNG、OFD 按内容识别并校验；申请表可修改时由申请人（或代为申报的企业）上传，已签名的申请表随之重新生成", None, "201 {id}"))
    });
    doc["paths"]["/api/notifications/read"] =
        json!({ "post": op("标为已读：{id} 为一条，缺省为全部（只能是本人的消息）", None, "{marked}") });
    doc["paths"]["/api/notifications/sms"] = json!({ "put": op("是否同时以短信通知：{on}", None, "{sms}") });
    doc["paths"]["/api/personal-changes"] = json!({ "post": op("变更个人信息（姓名）：new_name 与身份证人像面、国徽面图片（base64，JPG/PNG）；签名、短审查，公告后换发证书；企业申报的省份，企业以 applicant_id_number 代为申报", None, "申请详情") });
    doc
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

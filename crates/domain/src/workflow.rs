//! The application workflow: states, actions, roles and the one function that decides every
//! transition ([`transition`]). Handlers never compare states themselves; they ask this module.
//!
//! 草稿 → 待企业确认 → 已申报 → 已受理 → 初审通过 → 复审通过（已决定）→ 公示中 → 已公告, with the side
//! exits 退回补正 (back to the applicant, who may edit and resubmit), 不予受理, 不予注册 and 已撤回.

use serde::Serialize;

/// Who acts. Tenant checks (which enterprise, which city) are the caller's; this is the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    Individual,
    Enterprise,
    CityAuthority,
    ProvinceAuthority,
    /// 系统管理员: accounts and configuration (等保三级 separation of duties).
    Admin,
    /// 安全管理员: security policy, unlocking accounts.
    SecurityAdmin,
    /// 审计管理员: reads, verifies and exports the audit log, nothing else.
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Individual,
        Role::Enterprise,
        Role::CityAuthority,
        Role::ProvinceAuthority,
        Role::Admin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Individual => "individual",
            Role::Enterprise => "enterprise",
            Role::CityAuthority => "city",
            Role::ProvinceAuthority => "province",
            Role::Admin => "admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Individual => "个人",
            Role::Enterprise => "企业",
            Role::CityAuthority => "市级主管部门",
            Role::ProvinceAuthority => "省级主管部门",
            Role::Admin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum State {
    Draft,
    AwaitingSignature,
    AwaitingEnterprise,
    Filed,
    Accepted,
    PrelimPassed,
    Approved,
    Publicity,
    Announced,
    Returned,
    NotAccepted,
    Refused,
    Withdrawn,
    /// Never accepted and cleared by the system after [`CLEAR_AFTER_DAYS`] days.
    Cleared,
}

/// Applications never accepted are cleared this many days after they were created.
pub const CLEAR_AFTER_DAYS: i64 = 90;

impl State {
    pub const ALL: [State; 14] = [
        State::Draft,
        State::AwaitingSignature,
        State::AwaitingEnterprise,
        State::Filed,
        State::Accepted,
        State::PrelimPassed,
        State::Approved,
        State::Publicity,
        State::Announced,
        State::Returned,
        State::NotAccepted,
        State::Refused,
        State::Withdrawn,
        State::Cleared,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::AwaitingSignature => "awaiting_signature",
            State::AwaitingEnterprise => "awaiting_enterprise",
            State::Filed => "filed",
            State::Accepted => "accepted",
            State::PrelimPassed => "prelim_passed",
            State::Approved => "approved",
            State::Publicity => "publicity",
            State::Announced => "announced",
            State::Returned => "returned",
            State::NotAccepted => "not_accepted",
            State::Refused => "refused",
            State::Withdrawn => "withdrawn",
            State::Cleared => "cleared",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Draft => "草稿",
            State::AwaitingSignature => "待本人签名",
            State::AwaitingEnterprise => "待企业盖章确认",
            State::Filed => "已申报（待受理）",
            State::Accepted => "已受理（待初审）",
            State::PrelimPassed => "初审通过（待复审）",
            State::Approved => "复审通过（待公示）",
            State::Publicity => "公示中",
            State::Announced => "已公告（办结）",
            State::Returned => "退回补正",
            State::NotAccepted => "不予受理",
            State::Refused => "不予注册",
            State::Withdrawn => "已撤回",
            State::Cleared => "已清理（超过90天未受理）",
        }
    }

    /// A presentation hint for badges: `ok`, `warn`, `bad` or `info`.
    pub fn tone(self) -> &'static str {
        match self {
            State::Announced => "ok",
            State::Returned | State::AwaitingSignature | State::AwaitingEnterprise | State::Draft => "warn",
            State::NotAccepted | State::Refused | State::Withdrawn | State::Cleared => "bad",
            _ => "info",
        }
    }

    /// Open applications block a new one for the same person ("已有在办业务").
    pub fn is_open(self) -> bool {
        !matches!(self, State::Announced | State::NotAccepted | State::Refused | State::Withdrawn | State::Cleared)
    }

    /// The applicant may change the form's data only in these states (applicant signs first);
    /// once the enterprise has sealed the form it is locked. See [`State::editable_in`].
    pub fn editable(self) -> bool {
        self.editable_in(SigningOrder::ApplicantFirst)
    }

    /// Editable states under a signing order: before the enterprise's seal, never after.
    pub fn editable_in(self, order: SigningOrder) -> bool {
        match order {
            SigningOrder::ApplicantFirst => {
                matches!(self, State::Draft | State::Returned | State::AwaitingSignature | State::AwaitingEnterprise)
            }
            SigningOrder::EnterpriseFirst => matches!(self, State::Draft | State::Returned | State::AwaitingEnterprise),
        }
    }

    /// Waiting for one of the two signatures (an edit now voids what was signed).
    pub fn awaiting_signatures(self) -> bool {
        matches!(self, State::AwaitingSignature | State::AwaitingEnterprise)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    Submit,
    Sign,
    Revise,
    Withdraw,
    EnterpriseConfirm,
    EnterpriseReturn,
    Accept,
    RefuseAcceptance,
    PrelimApprove,
    Return,
    Refuse,
    Approve,
    StartPublicity,
    Announce,
    /// The system's sweep of applications never accepted (run as the administrator).
    Clear,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::Submit,
        Action::Sign,
        Action::Revise,
        Action::Withdraw,
        Action::EnterpriseConfirm,
        Action::EnterpriseReturn,
        Action::Accept,
        Action::RefuseAcceptance,
        Action::PrelimApprove,
        Action::Return,
        Action::Refuse,
        Action::Approve,
        Action::StartPublicity,
        Action::Announce,
        Action::Clear,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Sign => "sign",
            Action::Revise => "revise",
            Action::Withdraw => "withdraw",
            Action::EnterpriseConfirm => "enterprise_confirm",
            Action::EnterpriseReturn => "enterprise_return",
            Action::Accept => "accept",
            Action::RefuseAcceptance => "refuse_acceptance",
            Action::PrelimApprove => "prelim_approve",
            Action::Return => "return",
            Action::Refuse => "refuse",
            Action::Approve => "approve",
            Action::StartPublicity => "start_publicity",
            Action::Announce => "announce",
            Action::Clear => "clear",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "生成申请表",
            Action::Sign => "本人签名",
            Action::Revise => "修改（原签名作废）",
            Action::Withdraw => "撤回",
            Action::EnterpriseConfirm => "企业确认",
            Action::EnterpriseReturn => "企业退回",
            Action::Accept => "受理",
            Action::RefuseAcceptance => "不予受理",
            Action::PrelimApprove => "初审通过",
            Action::Return => "退回补正",
            Action::Refuse => "不予注册",
            Action::Approve => "复审通过",
            Action::StartPublicity => "公示",
            Action::Announce => "公告",
            Action::Clear => "逾期清理",
        }
    }

    /// Actions that must carry a reason the applicant will read.
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::EnterpriseReturn | Action::RefuseAcceptance | Action::Return | Action::Refuse)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{role}不能执行“{action}”操作")]
    Forbidden { role: &'static str, action: &'static str },
    #[error("当前状态为“{state}”，不能执行“{action}”")]
    IllegalState { state: &'static str, action: &'static str },
    #[error("请填写“{action}”的理由")]
    ReasonRequired { action: &'static str },
    #[error("“{action}”的理由不能超过{max}个字")]
    ReasonTooLong { action: &'static str, max: usize },
    #[error("本省（市）的审查流程没有“{action}”环节：由省级主管部门受理后直接审查")]
    NotInProcedure { action: &'static str },
}

/// Who signs the application form first; a province profile decides (Hunan: the enterprise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub enum SigningOrder {
    /// The applicant signs, then the enterprise seals the signed form.
    #[default]
    ApplicantFirst,
    /// The enterprise seals, then the applicant confirms by signing.
    EnterpriseFirst,
}

impl SigningOrder {
    pub fn code(self) -> &'static str {
        match self {
            SigningOrder::ApplicantFirst => "applicant_first",
            SigningOrder::EnterpriseFirst => "enterprise_first",
        }
    }

    pub fn parse(s: &str) -> SigningOrder {
        if s == "enterprise_first" {
            SigningOrder::EnterpriseFirst
        } else {
            SigningOrder::ApplicantFirst
        }
    }

    /// The state in which a freshly generated form waits for its first signature.
    pub fn first(self) -> State {
        match self {
            SigningOrder::ApplicantFirst => State::AwaitingSignature,
            SigningOrder::EnterpriseFirst => State::AwaitingEnterprise,
        }
    }
}

/// Who reviews, a province profile decides: the city accepts and makes the preliminary review
/// and the province the second (湘 and the presets), or the provincial authority does
/// everything itself in one review (a municipality without city-level departments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub enum ReviewStages {
    /// 市级受理、初审 → 省级复审.
    #[default]
    CityThenProvince,
    /// 省级受理 → 省级审查（一级审查，无初审）.
    ProvinceOnly,
}

impl ReviewStages {
    pub fn code(self) -> &'static str {
        match self {
            ReviewStages::CityThenProvince => "city_then_province",
            ReviewStages::ProvinceOnly => "province_only",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewStages> {
        match s {
            "city_then_province" => Some(ReviewStages::CityThenProvince),
            "province_only" => Some(ReviewStages::ProvinceOnly),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewStages::CityThenProvince => "市级受理、初审，省级复审",
            ReviewStages::ProvinceOnly => "省级受理并审查（一级审查）",
        }
    }

    /// The role that accepts and (where there is one) makes the preliminary review.
    pub fn acceptor(self) -> Role {
        match self {
            ReviewStages::CityThenProvince => Role::CityAuthority,
            ReviewStages::ProvinceOnly => Role::ProvinceAuthority,
        }
    }
}

/// Whether an application created on `created` and never accepted is due for clearing.
pub fn clearing_due(created: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
    (today - created).num_days() >= CLEAR_AFTER_DAYS
}

/// Decides one transition with the applicant signing first; see [`transition_in`].
pub fn transition(state: State, action: Action, role: Role, reason: Option<&str>) -> Result<State, TransitionError> {
    transition_in(SigningOrder::ApplicantFirst, state, action, role, reason)
}

/// Decides one transition with city and province reviewing; see [`transition_with`].
pub fn transition_in(
    order: SigningOrder,
    state: State,
    action: Action,
    role: Role,
    reason: Option<&str>,
) -> Result<State, TransitionError> {
    transition_with(order, ReviewStages::CityThenProvince, state, action, role, reason)
}

/// Decides one transition under a signing order and review stages: the new state, or why not.
/// Every state change in erjian goes through here.
pub fn transition_with(
    order: SigningOrder,
    review: ReviewStages,
    state: State,
    action: Action,
    role: Role,
    reason: Option<&str>,
) -> Result<State, TransitionError> {
    use Action as A;
    use Role as R;
    use State as S;
    if review == ReviewStages::ProvinceOnly {
        return province_only(order, state, action, role, reason);
    }
    let allowed_role = match action {
        // Under the enterprise-first order an enterprise may submit a form it filed itself (the
        // store checks that it did).
        A::Submit => role == R::Individual || (role == R::Enterprise && order == SigningOrder::EnterpriseFirst),
        A::Sign | A::Revise | A::Withdraw => role == R::Individual,
        A::EnterpriseConfirm | A::EnterpriseReturn => role == R::Enterprise,
        A::Accept | A::RefuseAcceptance | A::PrelimApprove => role == R::CityAuthority,
        A::Return | A::Refuse => matches!(role, R::CityAuthority | R::ProvinceAuthority),
        A::Approve | A::StartPublicity | A::Announce => role == R::ProvinceAuthority,
        A::Clear => role == R::Admin,
    };
    if !allowed_role {
        return Err(TransitionError::Forbidden { role: role.label(), action: action.label() });
    }
    let next = match (action, state, role) {
        (A::Submit, S::Draft | S::Returned, _) => Some(order.first()),
        (A::Sign, S::AwaitingSignature, _) => Some(if order == SigningOrder::ApplicantFirst { S::AwaitingEnterprise } else { S::Filed }),
        (A::Revise, s, _) if s.awaiting_signatures() && s.editable_in(order) => Some(order.first()),
        (A::Withdraw, S::Draft | S::AwaitingSignature | S::AwaitingEnterprise | S::Filed | S::Returned, _) => Some(S::Withdrawn),
        (A::EnterpriseConfirm, S::AwaitingEnterprise, _) => {
            Some(if order == SigningOrder::ApplicantFirst { S::Filed } else { S::AwaitingSignature })
        }
        (A::EnterpriseReturn, S::AwaitingEnterprise, _) => Some(S::Returned),
        (A::Accept, S::Filed, _) => Some(S::Accepted),
        (A::RefuseAcceptance, S::Filed, _) => Some(S::NotAccepted),
        (A::PrelimApprove, S::Accepted, _) => Some(S::PrelimPassed),
        (A::Return, S::Filed | S::Accepted, R::CityAuthority) => Some(S::Returned),
        // An objection to the publicity upheld: refused, or returned with the finding.
        (A::Return, S::PrelimPassed | S::Publicity, R::ProvinceAuthority) => Some(S::Returned),
        (A::Refuse, S::Accepted, R::CityAuthority) => Some(S::Refused),
        (A::Refuse, S::PrelimPassed | S::Approved | S::Publicity, R::ProvinceAuthority) => Some(S::Refused),
        (A::Approve, S::PrelimPassed, _) => Some(S::Approved),
        (A::StartPublicity, S::Approved, _) => Some(S::Publicity),
        // A change the profile lets take effect without publicity (the store says when).
        (A::Announce, S::Publicity | S::Approved, _) => Some(S::Announced),
        (A::Clear, S::Draft | S::AwaitingSignature | S::AwaitingEnterprise | S::Filed | S::Returned, _) => Some(S::Cleared),
        _ => None,
    };
    settle(next, state, action, reason)
}

/// One-level review: the province accepts and decides; there is no preliminary review. The
/// applicant's and enterprise's steps are the same as under [`ReviewStages::CityThenProvince`].
fn province_only(order: SigningOrder, state: State, action: Action, role: Role, reason: Option<&str>) -> Result<State, TransitionError> {
    use Action as A;
    use Role as R;
    use State as S;
    match action {
        A::PrelimApprove => return Err(TransitionError::NotInProcedure { action: action.label() }),
        A::Accept | A::RefuseAcceptance | A::Return | A::Refuse | A::Approve | A::StartPublicity | A::Announce => {
            if role != R::ProvinceAuthority {
                return Err(TransitionError::Forbidden { role: role.label(), action: action.label() });
            }
        }
        // Everything before filing, and the sweep, is the same in both procedures.
        _ => return transition_in(order, state, action, role, reason),
    }
    let next = match (action, state) {
        (A::Accept, S::Filed) => Some(S::Accepted),
        (A::RefuseAcceptance, S::Filed) => Some(S::NotAccepted),
        (A::Return, S::Filed | S::Accepted | S::Publicity) => Some(S::Returned),
        (A::Refuse, S::Accepted | S::Approved | S::Publicity) => Some(S::Refused),
        (A::Approve, S::Accepted) => Some(S::Approved),
        (A::StartPublicity, S::Approved) => Some(S::Publicity),
        (A::Announce, S::Publicity | S::Approved) => Some(S::Announced),
        _ => None,
    };
    settle(next, state, action, reason)
}

/// The end of every decision: a transition the table does not have is illegal in this state, and
/// an allowed one that must carry a reason needs a non-blank one.
fn settle(next: Option<State>, state: State, action: Action, reason: Option<&str>) -> Result<State, TransitionError> {
    let next = next.ok_or(TransitionError::IllegalState { state: state.label(), action: action.label() })?;
    if action.needs_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(TransitionError::ReasonRequired { action: action.label() });
    }
    if reason.is_some_and(|r| crate::text::within(r, crate::text::REASON_MAX, "理由").is_err()) {
        return Err(TransitionError::ReasonTooLong { action: action.label(), max: crate::text::REASON_MAX });
    }
    Ok(next)
}

/// The status columns applicants and enterprises see (受理 / 初审 / 复审 / 公示 / 公告).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatusColumns {
    pub acceptance: &'static str,
    pub preliminary: &'static str,
    pub second: &'static str,
    pub publicity: &'static str,
    pub announcement: &'static str,
}

impl StatusColumns {
    fn pending() -> Self {
        StatusColumns { acceptance: "未受理", preliminary: "未审核", second: "未审核", publicity: "—", announcement: "—" }
    }
}

/// Derives the columns from the history of (action, state before it), oldest first.
pub fn status_columns(history: impl IntoIterator<Item = (Action, State)>) -> StatusColumns {
    let mut c = StatusColumns::pending();
    for (action, from) in history {
        match (action, from) {
            (Action::Submit, _) => c = StatusColumns::pending(),
            (Action::Accept, _) => c.acceptance = "已受理",
            (Action::RefuseAcceptance, _) => c.acceptance = "不予受理",
            (Action::Return, State::Filed) => c.acceptance = "退回补正",
            (Action::PrelimApprove, _) => c.preliminary = "通过",
            (Action::Return, State::Accepted) => c.preliminary = "退回补正",
            (Action::Refuse, State::Accepted) => c.preliminary = "不通过",
            (Action::Approve, State::Accepted) => {
                c.preliminary = "—（一级审查）";
                c.second = "通过";
            }
            (Action::Approve, _) => c.second = "通过",
            (Action::Return, State::PrelimPassed) => c.second = "退回补正",
            (Action::Refuse, State::PrelimPassed | State::Approved) => c.second = "不通过",
            (Action::StartPublicity, _) => c.publicity = "公示中",
            (Action::Refuse, State::Publicity) => c.publicity = "异议成立",
            (Action::Announce, _) => {
                c.publicity = "公示期满";
                c.announcement = "已公告";
            }
            _ => {}
        }
    }
    c
}

/// Who may see an application (tenant rule): the applicant; the enterprise it names once it is
/// no longer a private draft; the city authority of its city, and the province authority, once it
/// has left the applicant and the enterprise. The admin handles accounts, not applications.
pub fn may_view(role: Role, own_person: bool, own_enterprise: bool, own_city: bool, state: State) -> bool {
    may_view_in(SigningOrder::ApplicantFirst, role, own_person, own_enterprise, own_city, state)
}

/// The tenant rule under a signing order: the enterprise sees a form once it is its turn.
pub fn may_view_in(order: SigningOrder, role: Role, own_person: bool, own_enterprise: bool, own_city: bool, state: State) -> bool {
    let filed = !matches!(state, State::Draft | State::AwaitingSignature | State::AwaitingEnterprise);
    let private = match order {
        SigningOrder::ApplicantFirst => matches!(state, State::Draft | State::AwaitingSignature),
        SigningOrder::EnterpriseFirst => state == State::Draft,
    };
    match role {
        Role::Individual => own_person,
        Role::Enterprise => own_enterprise && !private,
        Role::CityAuthority => own_city && filed,
        Role::ProvinceAuthority => filed,
        Role::Admin | Role::SecurityAdmin | Role::AuditAdmin => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Under one-level review: the table of every legal (from, action, role) → to for the
    /// authority's steps; everything else the authorities try is refused.
    const PROVINCE_ONLY: &[(State, Action, Role, State)] = &[
        (State::Filed, Action::Accept, Role::ProvinceAuthority, State::Accepted),
        (State::Filed, Action::RefuseAcceptance, Role::ProvinceAuthority, State::NotAccepted),
        (State::Filed, Action::Return, Role::ProvinceAuthority, State::Returned),
        (State::Accepted, Action::Return, Role::ProvinceAuthority, State::Returned),
        (State::Accepted, Action::Refuse, Role::ProvinceAuthority, State::Refused),
        (State::Accepted, Action::Approve, Role::ProvinceAuthority, State::Approved),
        (State::Approved, Action::Refuse, Role::ProvinceAuthority, State::Refused),
        (State::Approved, Action::StartPublicity, Role::ProvinceAuthority, State::Publicity),
        (State::Approved, Action::Announce, Role::ProvinceAuthority, State::Announced),
        (State::Publicity, Action::Refuse, Role::ProvinceAuthority, State::Refused),
        (State::Publicity, Action::Return, Role::ProvinceAuthority, State::Returned),
        (State::Publicity, Action::Announce, Role::ProvinceAuthority, State::Announced),
    ];

    #[test]
    fn one_level_review_is_the_province_alone_without_a_preliminary_review() {
        let authority_actions = [
            Action::Accept,
            Action::RefuseAcceptance,
            Action::PrelimApprove,
            Action::Return,
            Action::Refuse,
            Action::Approve,
            Action::StartPublicity,
            Action::Announce,
        ];
        for state in State::ALL {
            for action in authority_actions {
                for role in Role::ALL {
                    let got = transition_with(SigningOrder::ApplicantFirst, ReviewStages::ProvinceOnly, state, action, role, Some("理由"));
                    let want = PROVINCE_ONLY.iter().find(|(f, a, r, _)| *f == state && *a == action && *r == role).map(|t| t.3);
                    assert_eq!(got.as_ref().ok().copied(), want, "{state:?} {action:?} {role:?}: {got:?}");
                }
            }
        }
        // The city has no step; the preliminary review does not exist, and says so.
        let e = transition_with(
            SigningOrder::ApplicantFirst,
            ReviewStages::ProvinceOnly,
            State::Filed,
            Action::Accept,
            Role::CityAuthority,
            None,
        );
        assert_eq!(e.unwrap_err().to_string(), "市级主管部门不能执行“受理”操作");
        let e = transition_with(
            SigningOrder::ApplicantFirst,
            ReviewStages::ProvinceOnly,
            State::Accepted,
            Action::PrelimApprove,
            Role::ProvinceAuthority,
            None,
        );
        assert!(e.unwrap_err().to_string().contains("没有“初审通过”环节"));
        // Reasons are still required, and the applicant's steps are unchanged.
        let e = transition_with(
            SigningOrder::ApplicantFirst,
            ReviewStages::ProvinceOnly,
            State::Accepted,
            Action::Refuse,
            Role::ProvinceAuthority,
            Some(" "),
        );
        assert_eq!(e.unwrap_err(), TransitionError::ReasonRequired { action: "不予注册" });
        for order in [SigningOrder::ApplicantFirst, SigningOrder::EnterpriseFirst] {
            for state in State::ALL {
                for action in [
                    Action::Submit,
                    Action::Sign,
                    Action::Revise,
                    Action::Withdraw,
                    Action::EnterpriseConfirm,
                    Action::EnterpriseReturn,
                    Action::Clear,
                ] {
                    for role in Role::ALL {
                        assert_eq!(
                            transition_with(order, ReviewStages::ProvinceOnly, state, action, role, Some("r")),
                            transition_in(order, state, action, role, Some("r"))
                        );
                    }
                }
            }
        }
        // The progress columns: the preliminary review is marked as not part of the procedure.
        let c = status_columns([(Action::Submit, State::Draft), (Action::Accept, State::Filed), (Action::Approve, State::Accepted)]);
        assert_eq!((c.acceptance, c.preliminary, c.second), ("已受理", "—（一级审查）", "通过"));
    }

    /// The full table of legal transitions: (from, action, role) → to.
    const LEGAL: &[(State, Action, Role, State)] = &[
        (State::Draft, Action::Submit, Role::Individual, State::AwaitingSignature),
        (State::Returned, Action::Submit, Role::Individual, State::AwaitingSignature),
        (State::AwaitingSignature, Action::Sign, Role::Individual, State::AwaitingEnterprise),
        (State::AwaitingSignature, Action::Revise, Role::Individual, State::AwaitingSignature),
        (State::AwaitingEnterprise, Action::Revise, Role::Individual, State::AwaitingSignature),
        (State::AwaitingSignature, Action::Withdraw, Role::Individual, State::Withdrawn),
        (State::Draft, Action::Withdraw, Role::Individual, State::Withdrawn),
        (State::AwaitingEnterprise, Action::Withdraw, Role::Individual, State::Withdrawn),
        (State::Filed, Action::Withdraw, Role::Individual, State::Withdrawn),
        (State::Returned, Action::Withdraw, Role::Individual, State::Withdrawn),
        (State::AwaitingEnterprise, Action::EnterpriseConfirm, Role::Enterprise, State::Filed),
        (State::AwaitingEnterprise, Action::EnterpriseReturn, Role::Enterprise, State::Returned),
        (State::Filed, Action::Accept, Role::CityAuthority, State::Accepted),
        (State::Filed, Action::RefuseAcceptance, Role::CityAuthority, State::NotAccepted),
        (State::Filed, Action::Return, Role::CityAuthority, State::Returned),
        (State::Accepted, Action::PrelimApprove, Role::CityAuthority, State::PrelimPassed),
        (State::Accepted, Action::Return, Role::CityAuthority, State::Returned),
        (State::Accepted, Action::Refuse, Role::CityAuthority, State::Refused),
        (State::PrelimPassed, Action::Approve, Role::ProvinceAuthority, State::Approved),
        (State::PrelimPassed, Action::Return, Role::ProvinceAuthority, State::Returned),
        (State::PrelimPassed, Action::Refuse, Role::ProvinceAuthority, State::Refused),
        (State::Approved, Action::Refuse, Role::ProvinceAuthority, State::Refused),
        (State::Approved, Action::StartPublicity, Role::ProvinceAuthority, State::Publicity),
        (State::Approved, Action::Announce, Role::ProvinceAuthority, State::Announced),
        (State::Publicity, Action::Refuse, Role::ProvinceAuthority, State::Refused),
        (State::Publicity, Action::Return, Role::ProvinceAuthority, State::Returned),
        (State::Publicity, Action::Announce, Role::ProvinceAuthority, State::Announced),
        (State::Draft, Action::Clear, Role::Admin, State::Cleared),
        (State::AwaitingSignature, Action::Clear, Role::Admin, State::Cleared),
        (State::AwaitingEnterprise, Action::Clear, Role::Admin, State::Cleared),
        (State::Filed, Action::Clear, Role::Admin, State::Cleared),
        (State::Returned, Action::Clear, Role::Admin, State::Cleared),
    ];

    #[test]
    fn every_legal_transition_succeeds() {
        for &(from, action, role, to) in LEGAL {
            assert_eq!(transition(from, action, role, Some("理由")), Ok(to), "{from:?} {action:?} {role:?}");
        }
    }

    #[test]
    fn every_other_combination_is_an_error() {
        for from in State::ALL {
            for action in Action::ALL {
                for role in Role::ALL {
                    if LEGAL.iter().any(|&(f, a, r, _)| f == from && a == action && r == role) {
                        continue;
                    }
                    assert!(transition(from, action, role, Some("理由")).is_err(), "{from:?} {action:?} {role:?} must be illegal");
                }
            }
        }
    }

    #[test]
    fn an_enterprise_submits_only_under_the_enterprise_first_order() {
        let ef = SigningOrder::EnterpriseFirst;
        assert_eq!(transition_in(ef, State::Draft, Action::Submit, Role::Enterprise, None), Ok(State::AwaitingEnterprise));
        assert!(transition_in(SigningOrder::ApplicantFirst, State::Draft, Action::Submit, Role::Enterprise, None).is_err());
        assert!(transition_in(ef, State::Draft, Action::Submit, Role::CityAuthority, None).is_err());
    }

    #[test]
    fn wrong_role_is_forbidden_and_says_so_in_chinese() {
        let e = transition(State::PrelimPassed, Action::Approve, Role::CityAuthority, None).unwrap_err();
        assert_eq!(e.to_string(), "市级主管部门不能执行“复审通过”操作");
        let e = transition(State::Announced, Action::Accept, Role::CityAuthority, None).unwrap_err();
        assert!(matches!(e, TransitionError::IllegalState { .. }));
    }

    #[test]
    fn returns_and_refusals_need_a_reason() {
        for r in [None, Some("  ")] {
            assert_eq!(
                transition(State::Filed, Action::Return, Role::CityAuthority, r),
                Err(TransitionError::ReasonRequired { action: "退回补正" })
            );
        }
        assert!(transition(State::Filed, Action::Accept, Role::CityAuthority, None).is_ok());
    }

    #[test]
    fn tenants_see_only_their_own() {
        assert!(may_view(Role::Enterprise, false, true, false, State::AwaitingEnterprise));
        assert!(!may_view(Role::Enterprise, false, false, true, State::AwaitingEnterprise));
        assert!(!may_view(Role::Enterprise, false, true, false, State::Draft));
        assert!(!may_view(Role::Enterprise, false, true, false, State::AwaitingSignature), "unsigned forms stay private");
        assert!(!may_view(Role::CityAuthority, false, false, true, State::AwaitingEnterprise));
        assert!(may_view(Role::CityAuthority, false, false, true, State::Filed));
        assert!(!may_view(Role::CityAuthority, false, false, false, State::Filed));
        assert!(may_view(Role::ProvinceAuthority, false, false, false, State::PrelimPassed));
        assert!(!may_view(Role::Individual, false, true, true, State::Filed));
        assert!(!may_view(Role::Admin, true, true, true, State::Filed));
    }

    #[test]
    fn enterprise_first_order_seals_then_confirms() {
        let o = SigningOrder::EnterpriseFirst;
        let t = |s, a, r| transition_in(o, s, a, r, None);
        assert_eq!(t(State::Draft, Action::Submit, Role::Individual), Ok(State::AwaitingEnterprise));
        assert_eq!(t(State::AwaitingEnterprise, Action::EnterpriseConfirm, Role::Enterprise), Ok(State::AwaitingSignature));
        assert_eq!(t(State::AwaitingSignature, Action::Sign, Role::Individual), Ok(State::Filed));
        assert_eq!(t(State::AwaitingEnterprise, Action::Revise, Role::Individual), Ok(State::AwaitingEnterprise));
        assert!(t(State::AwaitingSignature, Action::Revise, Role::Individual).is_err(), "sealed by the enterprise: locked");
        assert!(t(State::AwaitingEnterprise, Action::Sign, Role::Individual).is_err());
        assert!(may_view_in(o, Role::Enterprise, false, true, false, State::AwaitingEnterprise));
        assert!(!may_view_in(o, Role::CityAuthority, false, false, true, State::AwaitingSignature));
    }

    #[test]
    fn codes_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.code()), Some(s));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.code()), Some(a));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
    }

    #[test]
    fn status_columns_follow_history() {
        let c = status_columns([
            (Action::Submit, State::Draft),
            (Action::Sign, State::AwaitingSignature),
            (Action::EnterpriseConfirm, State::AwaitingEnterprise),
            (Action::Accept, State::Filed),
            (Action::Return, State::Accepted),
        ]);
        assert_eq!((c.acceptance, c.preliminary), ("已受理", "退回补正"));
        let c = status_columns([
            (Action::Submit, State::Returned),
            (Action::EnterpriseConfirm, State::AwaitingEnterprise),
            (Action::Accept, State::Filed),
            (Action::PrelimApprove, State::Accepted),
            (Action::Approve, State::PrelimPassed),
            (Action::StartPublicity, State::Approved),
            (Action::Announce, State::Publicity),
        ]);
        assert_eq!(
            c,
            StatusColumns {
                acceptance: "已受理", preliminary: "通过", second: "通过", publicity: "公示期满", announcement: "已公告"
            }
        );
    }
}

//! Every text the API shows a person, in English and Chinese: the words of each [`Msg`],
//! of roles, statuses and notification types, and of notifications themselves. Rendered
//! once per answer or push in the reader's language, so no handler formats user-facing text
//! itself, and a missing translation cannot compile.

use teamsync::identity::model::ShownRole;
use teamsync::messages::{Lang, Msg};
use teamsync::notifications::model::{NotificationKind, NotificationRecord};
use teamsync::projects::model::Status;

/// Picks the supported language the client ranks highest in `Accept-Language` (RFC 9110
/// quality values); English when it names none we speak.
pub fn lang_of(header: Option<&str>) -> Lang {
    let Some(header) = header else {
        return Lang::En;
    };
    let mut best: Option<(f32, Lang)> = None;
    for entry in header.split(',') {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality =
            parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary {
            "zh" => Lang::Zh,
            "en" => Lang::En,
            _ => continue,
        };
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, lang));
        }
    }
    best.map_or(Lang::En, |(_, lang)| lang)
}

/// A message in the reader's language.
pub fn render(msg: &Msg, lang: Lang) -> String {
    let (en, zh): (String, String) = match msg {
        Msg::Success => ("success".into(), "成功".into()),
        Msg::Registered => ("Registration successful".into(), "注册成功".into()),
        Msg::LoggedIn => ("Login successful".into(), "登录成功".into()),
        Msg::Refreshed => ("Token refreshed".into(), "刷新成功".into()),
        Msg::LoggedOut => ("Logged out".into(), "登出成功".into()),
        Msg::ProfileUpdated => ("Profile updated".into(), "修改成功".into()),
        Msg::PasswordChanged => ("Password changed".into(), "密码修改成功".into()),
        Msg::ProjectCreated => ("Project created".into(), "项目创建成功".into()),
        Msg::ProjectUpdated => ("Project updated".into(), "项目更新成功".into()),
        Msg::ProjectArchived => ("Project archived".into(), "项目已归档".into()),
        Msg::ProjectDeleted => ("Project deleted".into(), "项目已删除".into()),
        Msg::MembersUpdated => ("Project members updated".into(), "项目成员已更新".into()),
        Msg::TaskCreated => ("Task created".into(), "任务创建成功".into()),
        Msg::SubtaskCreated => ("Subtask created".into(), "子任务创建成功".into()),
        Msg::TaskUpdated => ("Task updated".into(), "任务更新成功".into()),
        Msg::StatusUpdated => ("Status updated".into(), "状态更新成功".into()),
        Msg::TaskDeleted => ("Task deleted".into(), "任务已删除".into()),
        Msg::TaskClaimed => ("Task claimed".into(), "任务认领成功".into()),
        Msg::DependencyAdded => ("Dependency added".into(), "依赖已添加".into()),
        Msg::DependencyRemoved => ("Dependency removed".into(), "依赖已删除".into()),
        Msg::ValidationFailed => ("The request is invalid".into(), "请求参数错误".into()),
        Msg::InvalidCredentials => ("Wrong username or password".into(), "用户名或密码错误".into()),
        Msg::TokenMissing => ("Authentication token is missing".into(), "缺少认证令牌 (token)".into()),
        Msg::TokenInvalid => ("Token is invalid".into(), "令牌 (token) 无效".into()),
        Msg::TokenExpired => ("Token has expired".into(), "令牌 (token) 已过期".into()),
        Msg::SessionEnded => {
            ("Token is no longer valid: the session has ended".into(), "令牌 (token) 已失效：会话已结束".into())
        }
        Msg::RefreshTokenReused => (
            "Refresh token was already used; the session has been ended".into(),
            "刷新令牌 (token) 已被使用，会话已终止".into(),
        ),
        Msg::TooManyLoginAttempts { retry_after_secs } => (
            format!("Too many failed logins; try again in {retry_after_secs} seconds"),
            format!("登录失败次数过多，请在 {retry_after_secs} 秒后重试"),
        ),
        Msg::Forbidden => ("You do not have permission to do this".into(), "无权限访问".into()),
        Msg::RouteNotFound => ("No such endpoint".into(), "接口不存在".into()),
        Msg::MethodNotAllowed => ("This endpoint does not accept that method".into(), "接口不支持该请求方法".into()),
        Msg::UserNotFound => ("User not found".into(), "用户不存在".into()),
        Msg::Conflict => ("The resource already exists".into(), "资源冲突".into()),
        Msg::ChangedConcurrently => (
            "Someone else changed this at the same time; reload and try again".into(),
            "数据已被他人同时修改，请刷新后重试".into(),
        ),
        Msg::Internal => ("Internal server error".into(), "服务器内部错误".into()),
        Msg::PreconditionFailed => (
            "This was changed since you read it (If-Match no longer matches); reload it".into(),
            "数据已被修改（If-Match 不匹配），请刷新后重试".into(),
        ),
        Msg::ProjectNotFound => ("Project not found".into(), "项目不存在".into()),
        Msg::TaskNotFound => ("Task not found".into(), "任务不存在".into()),
        Msg::ArchivedIsReadOnly => ("The project is archived and read-only".into(), "项目已归档，只读".into()),
        Msg::OnlyArchivedCanBeDeleted => (
            "Only an archived project can be deleted; archive it first".into(),
            "只能删除已归档的项目，请先归档".into(),
        ),
        Msg::TaskHasSubtasks => ("A task with subtasks cannot be deleted".into(), "存在子任务的任务不能删除".into()),
        Msg::DependencyOutsideProject => {
            ("A task can depend only on another task of its project".into(), "只能依赖同一项目中的其他任务".into())
        }
        Msg::DependencyCycle => (
            "This dependency would close a cycle: the other task already waits for this one".into(),
            "该依赖会形成循环：另一任务已在等待本任务".into(),
        ),
        Msg::DependencyNotFound => ("No such dependency".into(), "依赖不存在".into()),
        Msg::TooManyDependencies { max } => {
            (format!("A project holds at most {max} dependencies"), format!("一个项目最多 {max} 个依赖"))
        }
        Msg::TaskTooDeep => ("Tasks nest at most three levels deep".into(), "已达到最大层级深度（3层）".into()),
        Msg::NotParentAssignee => {
            ("Only the assignee of the parent task may add subtasks".into(), "无权创建子任务（非负责人）".into())
        }
        Msg::TaskHidden => (
            "This task is not assigned to you; its details are private".into(),
            "该任务未分配给您，无权查看详情".into(),
        ),
        Msg::OnlyAdminsReassign => ("Only an admin may change the assignee".into(), "仅管理员可修改负责人".into()),
        Msg::MembersHaveOpenTasks { task_ids } if task_ids.is_empty() => (
            "A member to be removed has just been given an open task in the project".into(),
            "待移除的成员刚被分配了项目中的未完成任务".into(),
        ),
        Msg::MembersHaveOpenTasks { task_ids } => (
            format!("These members still have open tasks in the project: {task_ids:?}"),
            format!("这些成员在项目中仍有未完成的任务：{task_ids:?}"),
        ),
        Msg::AlreadyAssigned => ("The task already has an assignee".into(), "任务已有负责人".into()),
        Msg::NotClaimable => ("This task cannot be claimed".into(), "该任务无法认领".into()),
        Msg::OnlyMainTasksClaimable => {
            ("Only an unassigned main task can be claimed".into(), "只能认领未分配的主任务".into())
        }
        Msg::IdempotencyKeyReused => (
            "This Idempotency-Key was already used with another request body".into(),
            "该 Idempotency-Key 已用于不同的请求内容".into(),
        ),
        Msg::NotificationNotFound => ("Notification not found".into(), "通知不存在".into()),
        Msg::NotInAnyTeam => ("You are not in a team yet".into(), "您尚未加入任何团队".into()),
        Msg::LastTeamAdmin => {
            ("A team must keep at least one team admin".into(), "团队至少需要保留一名团队管理员".into())
        }
        Msg::AlreadyInTeam => ("This user is already in a team".into(), "用户已是团队成员".into()),
        Msg::NotRegistered => {
            ("No user has this username; they must register first".into(), "该用户名未注册，请先注册账号".into())
        }
        Msg::InvitedToTeam => ("Invitation successful".into(), "邀请成功".into()),
        Msg::RoleChanged => ("Role changed".into(), "角色修改成功".into()),
        Msg::MemberRemoved => ("Member removed".into(), "成员已移除".into()),
        Msg::TeamUpdated => ("Team updated".into(), "团队已更新".into()),
        Msg::InvalidTimezone => {
            ("Not an IANA time zone (e.g. Asia/Shanghai)".into(), "不是有效的 IANA 时区（如 Asia/Shanghai）".into())
        }
        Msg::UnknownChannel => ("Channels are named project_<id>".into(), "频道名称应为 project_<id>".into()),
        Msg::TooManyChannels { max } => {
            (format!("A connection may subscribe to at most {max} channels"), format!("每个连接最多订阅 {max} 个频道"))
        }
        Msg::UnknownAction => (
            "Unknown action; send subscribe, unsubscribe or ping".into(),
            "未知操作，请发送 subscribe、unsubscribe 或 ping".into(),
        ),
        Msg::ConnectionUnknown => {
            ("This connection is not known any more; connect again".into(), "连接已失效，请重新连接".into())
        }
        Msg::FileTypeNotAllowed => ("This file type is not supported".into(), "文件类型不支持".into()),
        Msg::InvalidMimeType => {
            ("Not a MIME type (e.g. application/pdf)".into(), "不是有效的 MIME 类型（如 application/pdf）".into())
        }
        Msg::FileTooLarge { max_bytes } => (
            format!("The file is larger than the limit of {max_bytes} bytes"),
            format!("文件大小超过限制（{max_bytes} 字节）"),
        ),
        Msg::FileEmpty => ("The file is empty: send at least one byte".into(), "文件为空：至少需要 1 个字节".into()),
        Msg::ContentNotOfDeclaredType => (
            "The file's content is not of its declared type; it was removed".into(),
            "文件内容与声明的类型不符，已删除".into(),
        ),
        Msg::ForeignUploadKey => {
            ("This file_key was not issued for this upload".into(), "该 file_key 不是为此次上传签发的".into())
        }
        Msg::NotUploaded => ("Nothing was uploaded under this key".into(), "该 file_key 下没有已上传的文件".into()),
        Msg::UploadDoesNotMatch => (
            "The uploaded file does not match the declared size and type; it was removed".into(),
            "上传的文件与声明的大小或类型不符，已删除".into(),
        ),
        Msg::AttachmentNotFound => ("Attachment not found".into(), "附件不存在".into()),
        Msg::UploadUrlIssued => ("Upload URL issued".into(), "获取上传地址成功".into()),
        Msg::AttachmentAdded => ("Attachment added".into(), "上传成功".into()),
        Msg::AttachmentDeleted => ("Attachment deleted".into(), "附件已删除".into()),
        Msg::AvatarUpdated => ("Avatar updated".into(), "头像更新成功".into()),
        Msg::MustBeMultipart => (
            "Send multipart/form-data with the image in the field \"avatar\"".into(),
            "请以 multipart/form-data 提交，图片放在 avatar 字段".into(),
        ),
        Msg::NotAnImage => {
            ("Avatars must be PNG, JPEG, GIF or WebP images".into(), "头像必须是 PNG、JPEG、GIF 或 WebP 图片".into())
        }
        Msg::InvalidAvatarUrl => (
            "Use an https:// image URL, or upload an image".into(),
            "请使用 https:// 开头的图片地址，或上传图片".into(),
        ),
        Msg::NotificationRead => ("Marked as read".into(), "已标记为已读".into()),
        Msg::AllNotificationsRead => ("All marked as read".into(), "全部标记为已读".into()),
        Msg::NotificationDeleted => ("Notification deleted".into(), "通知已删除".into()),
        Msg::MalformedJson => ("The body is not valid JSON".into(), "请求体不是合法的 JSON".into()),
        Msg::BodyMustBeObject => ("The body must be a JSON object".into(), "请求体必须是 JSON 对象".into()),
        Msg::UnsupportedContentType => (
            "Send application/json or application/x-www-form-urlencoded".into(),
            "请使用 application/json 或 application/x-www-form-urlencoded".into(),
        ),
        Msg::Required => ("This field is required".into(), "该字段为必填项".into()),
        Msg::MustBeString => ("Must be a string".into(), "必须是字符串".into()),
        Msg::MustBeInteger => ("Must be an integer".into(), "必须是整数".into()),
        Msg::MustBeBoolean => ("Must be true or false".into(), "必须是 true 或 false".into()),
        Msg::MustBeIdList => ("Must be a list of integer ids".into(), "必须是整数 ID 列表".into()),
        Msg::InvalidDate => (
            "Use YYYY-MM-DD (or YYYY-MM-DDTHH:mm:ss)".into(),
            "日期格式应为 YYYY-MM-DD（或 YYYY-MM-DDTHH:mm:ss）".into(),
        ),
        Msg::StartAfterEnd => {
            ("The start date must not be after the end date".into(), "开始日期不能晚于结束日期".into())
        }
        Msg::AtLeastOneMember => ("A project needs at least one member".into(), "项目必须至少有一个成员".into()),
        Msg::NotInTeam { user_ids } => (
            format!("Not members of the project's team: {user_ids:?}"),
            format!("以下用户不是该团队成员：{user_ids:?}"),
        ),
        Msg::NotProjectMember => ("The assignee must be a member of the project".into(), "负责人必须是项目成员".into()),
        Msg::TeamNotFound => ("Team not found".into(), "团队不存在".into()),
        Msg::TeamIdRequired => (
            "team_id is required: the super admin belongs to no team".into(),
            "超级管理员创建项目时必须指定 team_id".into(),
        ),
        Msg::MustBeOneOf(choices) => {
            (format!("Must be one of: {}", choices.join(", ")), format!("必须是以下之一：{}", choices.join(", ")))
        }
        Msg::TooShort { min } => (format!("Must be at least {min} characters"), format!("长度不能少于 {min} 个字符")),
        Msg::TooLong { max } => (format!("Must be at most {max} characters"), format!("长度不能超过 {max} 个字符")),
        Msg::TooMany { max } => (format!("At most {max} at a time"), format!("每次最多 {max} 个")),
        Msg::HiddenCharacters => (
            "Must not contain control characters or text-direction overrides".into(),
            "不能包含控制字符或文字方向控制符".into(),
        ),
        Msg::OutOfRange { min, max } => {
            (format!("Must be between {min} and {max}"), format!("必须在 {min} 到 {max} 之间"))
        }
        Msg::InvalidUsername => {
            ("Use 3-32 letters, digits, or . _ - +".into(), "用户名须为 3-32 位字母、数字或 . _ - +".into())
        }
        Msg::InvalidEmail => ("Not a valid email address".into(), "邮箱格式不正确".into()),
        Msg::InvalidPhone => ("Not a valid phone number".into(), "电话号码格式不正确".into()),
        Msg::UsernameTaken => ("This username is already taken".into(), "用户名已存在".into()),
        Msg::EmailTaken => ("This email is already registered".into(), "邮箱已被注册".into()),
        Msg::PasswordsDiffer => ("The passwords do not match".into(), "两次输入的密码不一致".into()),
        Msg::PasswordIncorrect => ("The current password is wrong".into(), "原密码错误".into()),
        Msg::PasswordUnchanged => {
            ("The new password must differ from the current one".into(), "新密码不能与原密码相同".into())
        }
        Msg::TeamNameRequired => {
            ("team_name is required when join_type is \"create\"".into(), "创建团队时必须填写 team_name".into())
        }
        Msg::TeamNameOnlyWhenCreating => {
            ("team_name is only allowed when join_type is \"create\"".into(), "仅在创建团队时可以填写 team_name".into())
        }
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// A role as a person reads it.
pub fn role_name(role: ShownRole, lang: Lang) -> &'static str {
    match (role, lang) {
        (ShownRole::SuperAdmin, Lang::En) => "Super admin",
        (ShownRole::SuperAdmin, Lang::Zh) => "超级管理员",
        (ShownRole::TeamAdmin, Lang::En) => "Team admin",
        (ShownRole::TeamAdmin, Lang::Zh) => "团队管理员",
        (ShownRole::Member, Lang::En) => "Team member",
        (ShownRole::Member, Lang::Zh) => "团队成员",
        (ShownRole::Visitor, Lang::En) => "Visitor",
        (ShownRole::Visitor, Lang::Zh) => "访客",
    }
}

/// A notification's type as a person reads it.
pub fn notification_type(kind: NotificationKind, lang: Lang) -> &'static str {
    let (en, zh) = match kind {
        NotificationKind::TaskAssigned => ("Task assigned", "任务分配"),
        NotificationKind::TaskUpdated => ("Task updated", "任务更新"),
        NotificationKind::StatusChanged => ("Status changed", "状态变更"),
        NotificationKind::DueReminder => ("Due reminder", "截止提醒"),
        NotificationKind::Overdue => ("Overdue", "逾期通知"),
        NotificationKind::MemberInvited => ("Member invited", "成员邀请"),
        NotificationKind::MemberRemoved => ("Member removed", "成员移除"),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// A notification's title and the sentence a person reads.
pub fn notification_wording(record: &NotificationRecord, lang: Lang) -> (String, String) {
    let subject = &record.subject;
    let actor = record.actor_name.as_deref().unwrap_or("?");
    let title = match (record.kind, lang) {
        // The seed's own titles (§7.1); the other kinds are titled by their type.
        (NotificationKind::TaskAssigned, Lang::En) => "New task assigned".to_owned(),
        (NotificationKind::TaskAssigned, Lang::Zh) => "新任务分配".to_owned(),
        (NotificationKind::StatusChanged, Lang::En) => "Task status changed".to_owned(),
        (NotificationKind::StatusChanged, Lang::Zh) => "任务状态变更".to_owned(),
        (kind, lang) => notification_type(kind, lang).to_owned(),
    };
    let count = record.count.unwrap_or(0);
    let content = match (record.kind, lang) {
        (NotificationKind::TaskAssigned, Lang::En) => format!("You were assigned a new task: {subject}"),
        (NotificationKind::TaskAssigned, Lang::Zh) => format!("您被分配了新任务：{subject}"),
        (NotificationKind::TaskUpdated, Lang::En) => format!("{actor} changed your task: {subject}"),
        (NotificationKind::TaskUpdated, Lang::Zh) => format!("{actor} 修改了您的任务：{subject}"),
        (NotificationKind::StatusChanged, Lang::En) => {
            format!("Task \"{subject}\" is now {}", status_words(record.status, lang))
        }
        (NotificationKind::StatusChanged, Lang::Zh) => {
            format!("任务“{subject}”状态变为{}", status_words(record.status, lang))
        }
        (NotificationKind::DueReminder, Lang::En) => format!("Task \"{subject}\" is due tomorrow"),
        (NotificationKind::DueReminder, Lang::Zh) => format!("任务“{subject}”明天到期"),
        (NotificationKind::Overdue, Lang::En) => format!("Task \"{subject}\" is overdue"),
        (NotificationKind::Overdue, Lang::Zh) => format!("任务“{subject}”已逾期"),
        (NotificationKind::MemberInvited, Lang::En) => format!("{actor} added you to the team {subject}"),
        (NotificationKind::MemberInvited, Lang::Zh) => format!("{actor} 邀请您加入团队：{subject}"),
        (NotificationKind::MemberRemoved, Lang::En) => {
            format!("{subject} was removed from the team; {count} open task(s) are now unassigned")
        }
        (NotificationKind::MemberRemoved, Lang::Zh) => {
            format!("{subject} 已被移出团队，{count} 个未完成任务已取消分配")
        }
    };
    (title, content)
}

fn status_words(status: Option<Status>, lang: Lang) -> &'static str {
    match (status, lang) {
        (Some(Status::Planning), Lang::En) => "planning",
        (Some(Status::Planning), Lang::Zh) => "规划中",
        (Some(Status::Pending), Lang::En) => "pending",
        (Some(Status::Pending), Lang::Zh) => "待处理",
        (Some(Status::InProgress), Lang::En) => "in progress",
        (Some(Status::InProgress), Lang::Zh) => "进行中",
        (Some(Status::Completed), Lang::En) => "completed",
        (Some(Status::Completed), Lang::Zh) => "已完成",
        (None, Lang::En) => "changed",
        (None, Lang::Zh) => "已变更",
    }
}

/// A status as a heading (a kanban column's title).
pub fn status_title(status: Status, lang: Lang) -> &'static str {
    match (status, lang) {
        (Status::Planning, Lang::En) => "Planning",
        (Status::Pending, Lang::En) => "Pending",
        (Status::InProgress, Lang::En) => "In progress",
        (Status::Completed, Lang::En) => "Completed",
        (status, Lang::Zh) => status_words(Some(status), Lang::Zh),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_highest_ranked_supported_language() {
        assert_eq!(lang_of(None), Lang::En);
        assert_eq!(lang_of(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(lang_of(Some("en-US,zh;q=0.5")), Lang::En);
        assert_eq!(lang_of(Some("fr-FR, zh-TW;q=0.7, en;q=0.3")), Lang::Zh);
        assert_eq!(lang_of(Some("de, fr")), Lang::En);
        assert_eq!(lang_of(Some("zh;q=0, en;q=0.1")), Lang::En);
    }

    #[test]
    fn messages_render_in_both_languages() {
        assert_eq!(render(&Msg::TokenExpired, Lang::En), "Token has expired");
        assert!(render(&Msg::TokenExpired, Lang::Zh).contains("过期"));
        assert!(render(&Msg::TooLong { max: 5 }, Lang::En).contains('5'));
    }
}

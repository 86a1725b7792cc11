//! The views function: a project's kanban, gantt and calendar, the same across the caller's
//! projects, and the dashboards (seed 001 §5, the client's `tasks/*` views). Every route needs
//! a signed-in caller; what they may see is the domain's call (`teamsync::views`).

use http::Method;
use teamsync::Error;
use teamsync::auth::Caller;
use teamsync::dates::parse_date;
use teamsync::messages::Msg;
use teamsync::names::parse_name;
use teamsync::projects::model::Status;
use teamsync::projects::seen::Layout;
use teamsync::views::Whose;
use teamsync::views::across::{self, Filter};
use teamsync::views::dashboard;
use teamsync::views::project::{self, GanttQuery, Month, Scale};

use crate::api::input::{self, Fields};
use crate::api::{Call, Reply, Routes};
use crate::present::views::{
    AdminDashboardView, CalendarAcross, CalendarView, GanttAcross, GanttView, KanbanAcross, KanbanView, ListAcross,
    MemberDashboardView,
};

pub fn routes() -> Routes {
    Routes::new()
        .signed(Method::GET, "/api/projects/{id}/kanban", kanban)
        .signed(Method::GET, "/api/projects/{id}/gantt", gantt)
        .signed(Method::GET, "/api/projects/{id}/calendar", calendar)
        .signed(Method::GET, "/api/tasks/list", list_across)
        .signed(Method::GET, "/api/tasks/kanban", kanban_across)
        .signed(Method::GET, "/api/tasks/gantt", gantt_across)
        .signed(Method::GET, "/api/tasks/calendar", calendar_across)
        .signed(Method::GET, "/api/dashboard/member", member_dashboard)
        .signed(Method::GET, "/api/dashboard/admin", admin_dashboard)
}

/// The AWS clients this function calls. It only reads the table.
pub fn clients(sdk: &aws_config::SdkConfig, _settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk)
}

/// `assignee=me|all`: whose tasks a view shows (all by default).
fn whose(fields: &mut Fields) -> Whose {
    fields
        .optional("assignee", |t| match t.trim() {
            "all" | "" => Ok(Whose::All),
            "me" => Ok(Whose::Mine),
            _ => Err(Msg::MustBeOneOf(&["me", "all"])),
        })
        .unwrap_or_default()
}

/// The filters of the views across projects: `status` (one or several, comma-separated),
/// `search`, `project_id`, and the super admin's `team_id`.
fn across_filter(fields: &mut Fields) -> Filter {
    Filter {
        statuses: fields.optional("status", statuses).unwrap_or_default(),
        search: fields.optional("search", input::trimmed),
        project_id: fields.optional("project_id", input::positive_id),
        assignee: None,
        team_id: fields.optional("team_id", input::positive_id),
    }
}

fn statuses(text: &str) -> Result<Vec<Status>, Msg> {
    text.split(',').filter(|s| !s.trim().is_empty()).map(parse_name::<Status>).collect()
}

/// `year` and `month`: both, or neither (reported on the one missing).
fn month(fields: &mut Fields) -> Option<Month> {
    let year = fields.optional("year", input::integer_in(1, 9999));
    let month = fields.optional("month", input::integer_in(1, 12));
    match (year, month) {
        (Some(year), Some(month)) => Some(Month { year: year as i16, month: month as i8 }),
        (Some(_), None) if !fields.has_error("month") => {
            fields.error("month", Msg::Required);
            None
        }
        (None, Some(_)) if !fields.has_error("year") => {
            fields.error("year", Msg::Required);
            None
        }
        _ => None,
    }
}

async fn kanban(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let whose = whose(&mut fields);
    fields.finish()?;
    let board = project::kanban(&call.ctx, &caller, call.id("id")?, whose, call.now).await?;
    Reply::ok(Msg::Success, KanbanView::of(&board, call.meta.lang))
}

async fn gantt(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let from = fields.optional("start_date", input::blank_or(parse_date)).flatten();
    let to = fields.optional("end_date", input::blank_or(parse_date)).flatten();
    let scale = fields.optional("view_mode", parse_name::<Scale>).unwrap_or_default();
    fields.finish()?;
    let gantt = project::gantt(&call.ctx, &caller, call.id("id")?, GanttQuery { from, to, scale }, call.now).await?;
    Reply::ok(Msg::Success, GanttView::of(&gantt))
}

async fn calendar(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let month = month(&mut fields);
    let whose = whose(&mut fields);
    fields.finish()?;
    let calendar = project::calendar(&call.ctx, &caller, call.id("id")?, month, whose, call.now).await?;
    Reply::ok(Msg::Success, CalendarView::of(&calendar))
}

async fn list_across(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let layout = fields.optional("view", parse_name::<Layout>).unwrap_or_default();
    let filter = across_filter(&mut fields);
    fields.finish()?;
    let lists = across::list(&call.ctx, &caller, &filter, layout, call.now).await?;
    Reply::ok(Msg::Success, ListAcross::of(&lists, &caller, call.meta.lang))
}

async fn kanban_across(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let mut filter = across_filter(&mut fields);
    filter.assignee = fields.optional("current_user_id", input::positive_id);
    fields.finish()?;
    let boards = across::kanban(&call.ctx, &caller, &filter, call.now).await?;
    Reply::ok(Msg::Success, KanbanAcross::of(&boards, call.meta.lang))
}

async fn gantt_across(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let filter = across_filter(&mut fields);
    let scale = fields.optional("view_mode", parse_name::<Scale>).unwrap_or_default();
    fields.finish()?;
    let query = GanttQuery { scale, ..GanttQuery::default() };
    let gantts = across::gantt(&call.ctx, &caller, &filter, query, call.now).await?;
    Reply::ok(Msg::Success, GanttAcross::of(&gantts, scale))
}

async fn calendar_across(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let filter = across_filter(&mut fields);
    let month = month(&mut fields);
    fields.finish()?;
    let (month, calendars) = across::calendar(&call.ctx, &caller, &filter, month, call.now).await?;
    Reply::ok(Msg::Success, CalendarAcross::of(month, &calendars))
}

async fn member_dashboard(call: Call, caller: Caller) -> Result<Reply, Error> {
    let dashboard = dashboard::member(&call.ctx, &caller, call.now).await?;
    Reply::ok(Msg::Success, MemberDashboardView::of(&dashboard))
}

async fn admin_dashboard(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let team_id = fields.optional("team_id", input::positive_id);
    fields.finish()?;
    let dashboard = dashboard::admin(&call.ctx, &caller, team_id, call.now).await?;
    Reply::ok(Msg::Success, AdminDashboardView::of(&dashboard))
}

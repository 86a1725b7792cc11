//! The views function: a project's kanban, gantt and calendar (seed 001 §5). Every route
//! needs a signed-in caller; what they may see is the domain's call (`teamsync::views`).

use http::Method;
use teamsync::Error;
use teamsync::auth::Caller;
use teamsync::dates::parse_date;
use teamsync::messages::Msg;
use teamsync::names::parse_name;
use teamsync::views::Whose;
use teamsync::views::project::{self, GanttQuery, Month, Scale};

use crate::api::input::{self, Fields};
use crate::api::{Call, Reply, Routes};
use crate::present::views::{CalendarView, GanttView, KanbanView};

pub fn routes() -> Routes {
    Routes::new()
        .signed(Method::GET, "/api/projects/{id}/kanban", kanban)
        .signed(Method::GET, "/api/projects/{id}/gantt", gantt)
        .signed(Method::GET, "/api/projects/{id}/calendar", calendar)
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
    let year = fields.optional("year", input::integer_in(1, 9999));
    let month = fields.optional("month", input::integer_in(1, 12));
    let whose = whose(&mut fields);
    // A month is named by both; either alone is a mistake, reported on the one missing.
    let month = match (year, month) {
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
    };
    fields.finish()?;
    let calendar = project::calendar(&call.ctx, &caller, call.id("id")?, month, whose, call.now).await?;
    Reply::ok(Msg::Success, CalendarView::of(&calendar))
}

//! What a project route read, for an edge to show: the project's partition, "today" in its
//! team's time zone, and what the caller may do there. The edges decide nothing from it
//! but how it looks; what the caller may see in full is `access`'s rule.

use std::collections::HashSet;

use jiff::civil::Date;

use crate::projects::access::Access;
use crate::projects::attachments::AttachmentView;
use crate::projects::model::TaskRecord;
use crate::projects::partition::ProjectData;

/// A project as read for one caller.
#[derive(Debug, Clone)]
pub struct Seen {
    pub data: ProjectData,
    pub today: Date,
    pub access: Access,
}

/// One task of a project as read for one caller.
#[derive(Debug, Clone)]
pub struct TaskSeen {
    pub seen: Seen,
    pub task: TaskRecord,
    /// Its attachments, in its detail, when the caller sees it in full.
    pub attachments: Option<Vec<AttachmentView>>,
}

/// How a task list is laid out (`view`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    #[default]
    Tree,
    Flat,
}

/// The tasks of a project a list shows one caller: those in `shown`, as a tree of main tasks
/// with their children or as a flat list.
#[derive(Debug, Clone)]
pub struct TasksSeen {
    pub seen: Seen,
    pub layout: Layout,
    pub shown: HashSet<u64>,
}

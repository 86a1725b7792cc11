//! Object keys and download names. The server chooses every key: a client's file name only
//! ever appears in a key in a sanitized form, and in full only in Content-Disposition.

/// A file name reduced to what is safe in a key: ASCII letters, digits, `.`, `-`, `_`;
/// anything else becomes `_`. An empty stem becomes `file`; at most 100 characters.
pub fn safe_name(file_name: &str) -> String {
    let clean = |text: &str| -> String {
        let mapped: String =
            text.chars().map(|c| if c.is_ascii_alphanumeric() || "-_".contains(c) { c } else { '_' }).collect();
        mapped.trim_matches('_').to_owned()
    };
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let (stem, extension) = match base.rsplit_once('.') {
        Some((stem, extension)) if !extension.is_empty() => (stem, clean(extension)),
        _ => (base, String::new()),
    };
    let stem = clean(stem);
    let stem = if stem.is_empty() { "file".to_owned() } else { stem };
    let mut name = if extension.is_empty() { stem } else { format!("{stem}.{extension}") };
    name.truncate(100);
    name
}

/// How a browser should treat a download: save it, or show it (an avatar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Attachment,
    Inline,
}

/// `Content-Disposition` that names the file by its original name, Chinese included (RFC
/// 6266 `filename*` in UTF-8, with an ASCII `filename` for old clients). Hidden controls are
/// left out, should a name stored before they were refused hold one: a download must not
/// show `a\u{202e}gpj.exe` as `aexe.jpg`.
pub fn content_disposition(disposition: Disposition, file_name: &str) -> String {
    let file_name: String = file_name.chars().filter(|c| !crate::validate::is_hidden_control(*c)).collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let kind = match disposition {
        Disposition::Attachment => "attachment",
        Disposition::Inline => "inline",
    };
    format!("{kind}; filename=\"{}\"; filename*=UTF-8''{encoded}", safe_name(&file_name))
}

/// An upload key the server issued: `uploads/<scope>/<uuid>/<name>`, where `scope` is e.g.
/// `tasks/12`. Returns the permanent key (`<scope>/<uuid>/<name>`) it settles to.
pub fn settled_key(upload_key: &str, scope: &str) -> Option<String> {
    let rest = upload_key.strip_prefix("uploads/")?.strip_prefix(scope)?.strip_prefix('/')?;
    let (id, name) = rest.split_once('/')?;
    let valid = uuid::Uuid::parse_str(id).is_ok() && !name.is_empty() && name == safe_name(name);
    valid.then(|| format!("{scope}/{rest}"))
}

/// A fresh permanent key under `scope` for `file_name`: `<scope>/<uuid>/<safe name>`.
pub fn object_key(scope: &str, file_name: &str) -> String {
    format!("{scope}/{}/{}", uuid::Uuid::new_v4(), safe_name(file_name))
}

/// A fresh upload key under `scope` for `file_name`; a confirm settles it to the permanent
/// key without the `uploads/` prefix.
pub fn upload_key(scope: &str, file_name: &str) -> String {
    format!("uploads/{}", object_key(scope, file_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_keys_are_checked() {
        assert_eq!(safe_name("报告 2026.pdf"), "2026.pdf");
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("设计稿.png"), "file.png");
        assert_eq!(safe_name("notes"), "notes");
        let key = upload_key("tasks/7", "a b.txt");
        assert!(key.starts_with("uploads/tasks/7/") && key.ends_with("/a_b.txt"), "{key}");
        assert_eq!(settled_key(&key, "tasks/7").unwrap(), key.trim_start_matches("uploads/"));
        assert_eq!(settled_key(&key, "tasks/8"), None, "another task's prefix");
        assert_eq!(settled_key(&key, "tasks/70"), None);
        assert_eq!(settled_key("uploads/tasks/7/not-a-uuid/a.txt", "tasks/7"), None);
        let header = content_disposition(Disposition::Attachment, "报告.pdf");
        assert!(header.starts_with("attachment;") && header.contains("filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"));
        let spoofed = content_disposition(Disposition::Attachment, "a\u{202e}gpj.exe");
        assert!(spoofed.ends_with("filename*=UTF-8''agpj.exe"), "{spoofed}");
    }
}

//! The type a file is kept and served as. A client that does not know a file's type
//! declares `application/octet-stream` (the client does for md, csv, webp, 7z, gz, tar, ...),
//! and some name a type by a legacy alias (`application/x-rar-compressed` for .rar): such a
//! declaration is judged by the file name's extension. The upload is still signed for what
//! the client declared, as its PUT carries that `Content-Type`; the bytes are then checked,
//! kept and served as the extension's type.

/// What a client declares when it does not know the type.
pub const UNKNOWN: &str = "application/octet-stream";

/// The types the extensions name (lower case, without the dot).
const BY_EXTENSION: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("doc", "application/msword"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xls", "application/vnd.ms-excel"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt", "application/vnd.ms-powerpoint"),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("md", "text/markdown"),
    ("markdown", "text/markdown"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("zip", "application/zip"),
    ("7z", "application/x-7z-compressed"),
    ("gz", "application/gzip"),
    ("tgz", "application/gzip"),
    ("tar", "application/x-tar"),
    ("rar", "application/vnd.rar"),
];

/// Older or vendor names of types, and the type each names.
const ALIASES: &[(&str, &str)] = &[
    ("application/x-rar-compressed", "application/vnd.rar"),
    ("application/x-rar", "application/vnd.rar"),
    ("application/x-zip-compressed", "application/zip"),
    ("application/x-gzip", "application/gzip"),
    ("image/jpg", "image/jpeg"),
];

/// The type a file name's extension names, if it names one we know.
pub fn of_extension(file_name: &str) -> Option<&'static str> {
    let (_, extension) = file_name.rsplit_once('.')?;
    let extension = extension.trim().to_ascii_lowercase();
    BY_EXTENSION.iter().find(|(known, _)| *known == extension).map(|(_, mime)| *mime)
}

/// The type a file declared as `declared` (a lower-cased MIME type) is kept and served as:
/// the declared type itself, but for `application/octet-stream` the extension's, and for an
/// alias the type it names, if the extension agrees. `None` when the name says no type, or
/// another than the alias names.
pub fn kept_type(file_name: &str, declared: &str) -> Option<String> {
    if declared == UNKNOWN {
        return of_extension(file_name).map(str::to_owned);
    }
    match ALIASES.iter().find(|(alias, _)| *alias == declared) {
        Some((_, named)) => of_extension(file_name).filter(|by_name| by_name == named).map(str::to_owned),
        None => Some(declared.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_or_aliased_type_is_judged_by_the_extension() {
        assert_eq!(kept_type("notes.MD", UNKNOWN).as_deref(), Some("text/markdown"));
        assert_eq!(kept_type("data.csv", UNKNOWN).as_deref(), Some("text/csv"));
        assert_eq!(kept_type("backup.tar.gz", UNKNOWN).as_deref(), Some("application/gzip"));
        assert_eq!(kept_type("photo.webp", UNKNOWN).as_deref(), Some("image/webp"));
        assert_eq!(kept_type("movie.mp4", UNKNOWN), None, "an extension we do not know");
        assert_eq!(kept_type("README", UNKNOWN), None, "no extension");
        let rar = "application/x-rar-compressed";
        assert_eq!(kept_type("old.rar", rar).as_deref(), Some("application/vnd.rar"));
        assert_eq!(kept_type("old.pdf", rar), None, "an alias must agree with the name");
        assert_eq!(kept_type("a.pdf", "application/pdf").as_deref(), Some("application/pdf"), "as declared");
        assert_eq!(kept_type("a.txt", "application/pdf").as_deref(), Some("application/pdf"), "the bytes decide");
    }
}

//! What a file's first bytes say it is. A declared type is the client's word; for the types
//! with a signature, the bytes must agree before a file is kept, so that a page of HTML is
//! never stored (and served) as a picture.

/// How many leading bytes [`matches_type`] needs to judge any type it knows.
pub const SIGNATURE_LEN: usize = 16;

const ZIP: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP: &[u8] = b"PK\x05\x06";
/// The compound file of the older Office formats (.doc, .xls, .ppt).
const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Whether `start`, an object's first bytes, is of type `mime`. Types without a signature
/// (text, csv, markdown, tar) are taken as declared; they are served as what they claim
/// and downloaded, never shown.
pub fn matches_type(mime: &str, start: &[u8]) -> bool {
    let office_xml = mime.starts_with("application/vnd.openxmlformats-officedocument.");
    match mime {
        "image/png" => start.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => start.starts_with(b"\xFF\xD8\xFF"),
        "image/gif" => start.starts_with(b"GIF87a") || start.starts_with(b"GIF89a"),
        "image/webp" => start.len() >= 12 && start.starts_with(b"RIFF") && &start[8..12] == b"WEBP",
        "application/pdf" => start.starts_with(b"%PDF-"),
        "application/zip" => start.starts_with(ZIP) || start.starts_with(EMPTY_ZIP),
        _ if office_xml => start.starts_with(ZIP),
        "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint" => start.starts_with(OLE),
        "application/gzip" | "application/x-gzip" => start.starts_with(b"\x1F\x8B"),
        "application/x-7z-compressed" => start.starts_with(b"7z\xBC\xAF\x27\x1C"),
        // RAR 1.5 to 4 (`Rar!\x1A\x07\x00`) and RAR 5 (`Rar!\x1A\x07\x01\x00`).
        "application/vnd.rar" => start.starts_with(b"Rar!\x1A\x07"),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_must_agree_with_the_types_that_have_a_signature() {
        let html = b"<!doctype html><script>alert(1)</script>";
        for mime in ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "application/zip"] {
            assert!(!matches_type(mime, html), "{mime}");
        }
        assert!(matches_type("image/png", b"\x89PNG\r\n\x1a\n rest"));
        assert!(matches_type("image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 "));
        assert!(!matches_type("image/webp", b"RIFF\x10\x00\x00\x00WAVE"));
        assert!(matches_type("application/pdf", b"%PDF-1.7"));
        let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        assert!(matches_type(docx, b"PK\x03\x04 a zip") && !matches_type(docx, html));
        assert!(matches_type("text/plain", html), "text has no signature: taken as declared");
        assert!(
            matches_type("application/vnd.rar", b"Rar!\x1A\x07\x01\x00 rar5")
                && !matches_type("application/vnd.rar", html)
        );
        assert!(!matches_type("image/png", b""), "nothing is not a picture");
    }
}

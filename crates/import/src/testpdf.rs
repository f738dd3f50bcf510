//! Small PDFs made by hand, for the tests, the fuzz seeds and the
//! robustness checks: a valid file with text, and the hostile shapes a
//! PDF reader must survive (deep nesting, a huge page tree, reference
//! loops, a decompression bomb). Not part of the reader; hidden from the
//! documentation.

/// A PDF file from its objects' bodies (object `i + 1` is `objects[i]`;
/// object 1 must be the catalog), with a correct cross-reference table.
pub fn assemble(objects: &[Vec<u8>]) -> Vec<u8> {
    assemble_with_trailer(objects, "")
}

/// As [`assemble`], with extra trailer entries (`/Prev 123`).
pub fn assemble_with_trailer(objects: &[Vec<u8>], extra_trailer: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {extra_trailer}>>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A stream object's body.
pub fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

/// A content stream that writes `lines` top-down in Helvetica 11 pt.
pub fn content(lines: &[&str]) -> Vec<u8> {
    let mut c = String::from("BT /F1 11 Tf 14 TL 56 780 Td\n");
    for l in lines {
        let escaped = l
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        c.push_str(&format!("({escaped}) Tj T*\n"));
    }
    c.push_str("ET");
    // WinAnsiEncoding: Latin-1 for å, ä, ö, é.
    c.chars()
        .map(|ch| u8::try_from(u32::from(ch)).unwrap_or(b'?'))
        .collect()
}

const FONT: &str =
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

/// A valid PDF with one page per entry of `pages`, each page's lines of
/// text in ASCII.
pub fn text_pdf(pages: &[&[&str]]) -> Vec<u8> {
    // 1 catalog, 2 pages, 3 font, then per page: page, content.
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 4 + 2 * i))
        .collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
        FONT.as_bytes().to_vec(),
    ];
    for (i, lines) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                 /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            )
            .into_bytes(),
        );
        objects.push(stream("", &content(lines)));
    }
    assemble(&objects)
}

/// A page tree of `n` pages that all show the same short text.
pub fn many_pages(n: usize) -> Vec<u8> {
    // 1 catalog, 2 pages, 3 font, 4 content, 5.. pages.
    let mut kids = String::with_capacity(n * 10);
    for i in 0..n {
        kids.push_str(&format!("{} 0 R ", 5 + i));
    }
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{kids}] /Count {n} >>").into_bytes(),
        FONT.as_bytes().to_vec(),
        stream("", &content(&["Sida"])),
    ];
    for _ in 0..n {
        objects.push(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
              /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
                .to_vec(),
        );
    }
    assemble(&objects)
}

/// A one-page PDF whose catalog carries an array nested `depth` deep
/// (`dicts`: dictionaries `<< /A … >>` instead).
pub fn deeply_nested(depth: usize, dicts: bool) -> Vec<u8> {
    let (open, close) = if dicts { ("<< /A ", " >>") } else { ("[", "]") };
    let mut deep = String::with_capacity(depth * (open.len() + close.len()) + 8);
    for _ in 0..depth {
        deep.push_str(open);
    }
    deep.push_str(if dicts { "1" } else { "" });
    for _ in 0..depth {
        deep.push_str(close);
    }
    let objects = vec![
        format!("<< /Type /Catalog /Pages 2 0 R /Deep 6 0 R >>").into_bytes(),
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
        FONT.as_bytes().to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R /Annots {deep} >>"
        )
        .into_bytes(),
        stream("", &content(&["Djup"])),
        deep.into_bytes(),
    ];
    assemble(&objects)
}

/// A page whose content stream is `compressed` (FlateDecode data made by
/// the caller, e.g. gigabytes of zeros).
pub fn flate_page(compressed: &[u8]) -> Vec<u8> {
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
        FONT.as_bytes().to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
          /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>"
            .to_vec(),
        stream("/Filter /FlateDecode", compressed),
    ];
    assemble(&objects)
}

/// Tiny files with reference loops: a Pages node among its own kids
/// (twice, so a naive walk doubles at every level), an xref chain whose
/// /Prev points back at itself, a stream whose /Length is itself, a page
/// that is its own parent and content.
pub fn loops() -> Vec<(&'static str, Vec<u8>)> {
    let self_kids = assemble(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [2 0 R 2 0 R] /Count 2 >>".to_vec(),
    ]);
    let mut prev_loop = text_pdf(&[&["Prev"]]);
    // Point the trailer's /Prev at the very xref table it ends.
    let xref = find_last(&prev_loop, b"startxref\n").map(|i| {
        let digits: Vec<u8> = prev_loop[i + 10..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        String::from_utf8(digits).unwrap_or_default()
    });
    if let Some(x) = xref {
        if let Some(t) = find_last(&prev_loop, b"/Root 1 0 R ") {
            let at = t + b"/Root 1 0 R ".len();
            prev_loop.splice(at..at, format!("/Prev {x} ").into_bytes());
        }
    }
    let self_length = assemble(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        b"<< /Length 4 0 R >>\nstream\nBT ET\nendstream".to_vec(),
    ]);
    let own_parent = assemble(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Parent 2 0 R /Count 3 >>".to_vec(),
        b"<< /Type /Page /Parent 3 0 R /Resources 3 0 R /Contents 3 0 R >>".to_vec(),
    ]);
    // No cross-reference table at all, the kids a cycle of two nodes.
    let no_xref = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
        2 0 obj<</Type/Pages/Kids[3 0 R 3 0 R 3 0 R]/Count 9>>endobj\n\
        3 0 obj<</Type/Pages/Kids[2 0 R 2 0 R 2 0 R]/Count 9>>endobj\n\
        trailer<</Root 1 0 R>>\n%%EOF\n"
        .to_vec();
    vec![
        ("kids-self", self_kids),
        ("prev-loop", prev_loop),
        ("length-self", self_length),
        ("own-parent", own_parent),
        ("no-xref-cycle", no_xref),
    ]
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// zlib data that inflates to `megabytes` MiB of zeros, in about a
/// thousandth of that: one block of a megabyte of zeros repeated (each
/// block refers back only to zeros, so any number of copies is valid
/// deflate; the checksum at the end is not, which a reader notices only
/// after inflating everything).
pub fn zeros_deflate(megabytes: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let zeros = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), true);
    let mut out = Vec::new();
    let mut step = |out: &mut Vec<u8>, input: &[u8], flush| {
        out.reserve(1 << 21);
        c.compress_vec(input, out, flush).expect("deflate");
    };
    step(&mut out, &zeros, FlushCompress::Sync);
    let before = out.len();
    step(&mut out, &zeros, FlushCompress::Sync);
    let block = out[before..].to_vec();
    for _ in 2..megabytes {
        out.extend_from_slice(&block);
    }
    step(&mut out, &[], FlushCompress::Finish);
    out
}

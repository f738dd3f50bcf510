//! A generated back catalogue for the bulk import's tests and bench: the
//! test protocols of `crates/import/tests/import` turned into many distinct
//! meetings (another municipality, another year: so another organisation,
//! body and paragraph series each time), some as PDFs, with the damage a
//! real archive has: broken files, exact copies, a second version of a
//! meeting, documents that are not protocols and files of other kinds.

#![allow(dead_code)]

use std::path::Path;

/// Invented municipalities (none ends in s: the genitive adds one).
const NAMES: [&str; 40] = [
    "Åsby",
    "Backa",
    "Dalvik",
    "Ekeby",
    "Fjällby",
    "Granvik",
    "Hagby",
    "Ivarby",
    "Järnvik",
    "Kvarnby",
    "Lövvik",
    "Mossby",
    "Näsby",
    "Ormvik",
    "Pilby",
    "Rödvik",
    "Sandby",
    "Tallvik",
    "Ullby",
    "Vallby",
    "Åkervik",
    "Ängby",
    "Ödeby",
    "Bergvik",
    "Dammby",
    "Elmvik",
    "Furuby",
    "Grönvik",
    "Hallby",
    "Ingvik",
    "Klintby",
    "Lindvik",
    "Myrby",
    "Prästvik",
    "Rankby",
    "Sjöby",
    "Torpvik",
    "Udby",
    "Viby",
    "Åby",
];

/// What a run over the generated directory must report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub files: usize,
    /// Distinct meetings: imported on the first run.
    pub meetings: usize,
    /// Exact copies of a protocol file.
    pub copies: usize,
    /// Another file with a meeting already in the directory.
    pub versions: usize,
    pub broken: usize,
    pub not_protocols: usize,
    pub other_kinds: usize,
    pub pdfs: usize,
}

/// The templates: (text, the municipality's line, how it is written there).
fn templates(fixtures: &Path) -> Vec<(String, &'static str, bool)> {
    let read = |name: &str| {
        std::fs::read_to_string(fixtures.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", fixtures.join(name).display()))
    };
    vec![
        // "NORRVIKS KOMMUN": the genitive.
        (read("norrvik-sn-2024-10-15.txt"), "NORRVIKS KOMMUN", true),
        (read("alvby-kf-2024-11-25.txt"), "ÄLVBY KOMMUN", false),
    ]
}

/// The `i`th distinct protocol text.
pub fn protocol(fixtures: &Path, i: usize) -> String {
    let templates = templates(fixtures);
    let (text, head, genitive) = &templates[i % templates.len()];
    let k = i / templates.len();
    let name = NAMES[k % NAMES.len()];
    let year = 1980 + k / NAMES.len();
    let upper = name.to_uppercase();
    let head_new = if *genitive {
        format!("{upper}S KOMMUN")
    } else {
        format!("{upper} KOMMUN")
    };
    text.replace(head, &head_new)
        .replace("Älvby", name)
        .replace("2025", &(year + 1).to_string())
        .replace("2024", &year.to_string())
}

/// Windows-1252, as a PDF's standard fonts encode text.
fn cp1252(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{0}'..='\u{7f}' | '\u{a0}'..='\u{ff}' => c as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// A text PDF as an export makes one: the lines in Courier, 60 a page.
pub fn text_pdf(text: &str) -> Vec<u8> {
    let lines: Vec<&str> = text.lines().collect();
    let pages: Vec<&[&str]> = lines.chunks(60).collect();
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".to_vec(),
    ];
    for (i, page) in pages.iter().enumerate() {
        let mut content = b"BT /F1 9 Tf 11 TL 40 800 Td\n".to_vec();
        for line in page.iter() {
            content.push(b'(');
            for b in cp1252(line) {
                if matches!(b, b'(' | b')' | b'\\') {
                    content.push(b'\\');
                }
                content.push(b);
            }
            content.extend_from_slice(b") Tj T*\n");
        }
        content.extend_from_slice(b"ET");
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            )
            .into_bytes(),
        );
        objects.push(kansli_import::testpdf::stream("", &content));
    }
    kansli_import::testpdf::assemble(&objects)
}

/// A scanned PDF: each page one grey picture (8 bits a pixel), no text.
pub fn image_pdf(pages: &[(usize, usize, Vec<u8>)]) -> Vec<u8> {
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 3 + 3 * i)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
    ];
    for (i, (w, h, pixels)) in pages.iter().enumerate() {
        let (image, content) = (4 + 3 * i, 5 + 3 * i);
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 {image} 0 R >> >> /Contents {content} 0 R >>"
            )
            .into_bytes(),
        );
        objects.push(kansli_import::testpdf::stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 8"
            ),
            pixels,
        ));
        objects.push(kansli_import::testpdf::stream(
            "",
            b"q 595 0 0 842 0 0 cm /Im0 Do Q",
        ));
    }
    kansli_import::testpdf::assemble(&objects)
}

/// A binary PGM (P5) as pdftoppm -pgm writes it: width, height, pixels.
pub fn read_pgm(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 4 {
        while bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..pos]).into_owned());
    }
    assert_eq!(fields[0], "P5", "a binary PGM");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = bytes[pos + 1..pos + 1 + w * h].to_vec();
    (w, h, pixels)
}

/// Bytes that are nothing: a fixed pseudo-random sequence with NULs.
fn junk(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Writes `files` files below `dir` (in subdirectories by year, as an
/// archive is kept): every tenth protocol a PDF, and 20 files of damage.
pub fn generate(fixtures: &Path, dir: &Path, files: usize) -> Expected {
    let (broken, not_protocols, other_kinds, copies, versions) = (6, 3, 3, 5, 3);
    let meetings = files - broken - not_protocols - other_kinds - copies - versions;
    let mut written: Vec<std::path::PathBuf> = Vec::new();
    let mut pdfs = 0;
    let write = |path: &Path, bytes: &[u8]| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    for i in 0..meetings {
        let text = protocol(fixtures, i);
        let year = 1980 + (i / 2) / NAMES.len();
        let sub = dir.join(format!("{year}"));
        let stem = format!("protokoll-{i:04}");
        let path = if i % 10 == 3 {
            pdfs += 1;
            let p = sub.join(format!("{stem}.pdf"));
            write(&p, &text_pdf(&text));
            p
        } else {
            // Some archives name them in capitals.
            let ext = if i % 17 == 5 { "TXT" } else { "txt" };
            let p = sub.join(format!("{stem}.{ext}"));
            write(&p, text.as_bytes());
            p
        };
        written.push(path);
    }
    // Exact copies, elsewhere and under other names.
    for c in 0..copies {
        let original = &written[c * 37 + 1];
        let name = format!(
            "kopia-{c}.{}",
            original.extension().unwrap().to_string_lossy()
        );
        write(
            &dir.join("kopior").join(name),
            &std::fs::read(original).unwrap(),
        );
    }
    // The same meeting again: a corrected text (another file).
    for v in 0..versions {
        let i = v * 50 + 10;
        assert!(i % 10 != 3);
        let text = format!(
            "{}\nRättad version, utskriven igen.\n",
            protocol(fixtures, i)
        );
        write(
            &dir.join("andra-versioner")
                .join(format!("protokoll-{i:04}-rättad.txt")),
            text.as_bytes(),
        );
    }
    // Broken: truncated PDFs (nothing past the first objects), junk, empty.
    let whole = text_pdf(&protocol(fixtures, 0));
    write(&dir.join("trasiga/avkortad-1.pdf"), &whole[..300]);
    write(
        &dir.join("trasiga/avkortad-2.pdf"),
        &whole[..whole.len() / 10],
    );
    write(&dir.join("trasiga/skräp.pdf"), &junk(4000, 7));
    write(&dir.join("trasiga/skräp.txt"), &junk(3000, 11));
    write(&dir.join("trasiga/tom.txt"), b"");
    write(&dir.join("trasiga/tom.pdf"), b"");
    // Documents that are not protocols.
    write(
        &dir.join("övrigt/tjänsteskrivelse.txt"),
        "TJÄNSTESKRIVELSE\nSocialkontoret\n\nÄrende: Riktlinjer för färdtjänst\n\n\
         Kontoret föreslår att riktlinjerna revideras. Bakgrunden är att antalet resor har ökat\n\
         och att regionens taxa har ändrats.\n\nHandläggare\nTobias Ring\n"
            .as_bytes(),
    );
    write(
        &dir.join("övrigt/nyhetsbrev.txt"),
        "Nyhetsbrev från kommunen\n\nBiblioteket har nya öppettider i sommar. Simhallen stänger\n\
         för renovering i augusti.\n"
            .as_bytes(),
    );
    write(
        &dir.join("övrigt/motion.txt"),
        "Motion till kommunfullmäktige om fler laddplatser\n\nVi föreslår att kommunen bygger\n\
         laddplatser vid alla skolor.\n\nKarin Ek (M)\n"
            .as_bytes(),
    );
    // Other kinds of files.
    write(&dir.join("läsmig.md"), b"# Arkivet\nProtokoll 1980-1992.\n");
    write(&dir.join("bilder/omslag.jpg"), &junk(2000, 3));
    write(&dir.join("protokoll.docx"), &junk(1500, 5));
    Expected {
        files,
        meetings,
        copies,
        versions,
        broken,
        not_protocols,
        other_kinds,
        pdfs,
    }
}

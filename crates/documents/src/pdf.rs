//! PDF through typst, in process: the document model goes in as JSON, the
//! layout is `templates/document.typ`, and the result is PDF/A-2 (fonts
//! embedded, XMP metadata, language sv) and tagged.
//!
//! The fonts are typst-assets' (Libertinus Serif for text), loaded once. A
//! compilation is CPU-bound: servers call this from a blocking thread.

use crate::model::Doc;
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

const TEMPLATE: &str = include_str!("../templates/document.typ");

/// The parts of a typst world that never change: library and fonts.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    data: FileId,
    template: Source,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|bytes| Font::iter(Bytes::new(bytes)))
        .collect();
    let id = |p: &str| {
        RootedPath::new(
            VirtualRoot::Project,
            VirtualPath::new(p).expect("a fixed, valid path"),
        )
        .intern()
    };
    let main = id("/document.typ");
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        main,
        data: id("/data.json"),
        template: Source::new(main, TEMPLATE.to_string()),
    }
});

/// One compilation: the shared parts and this document's data.
struct DocWorld {
    shared: &'static Shared,
    data: Bytes,
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.shared.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.shared.main {
            Ok(self.shared.template.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.data {
            Ok(self.data.clone())
        } else if id == self.shared.main {
            Ok(Bytes::from_string(TEMPLATE))
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // Documents carry their own dates; "today" would make output depend
        // on when it was rendered.
        None
    }
}

fn describe(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Lays the document out and writes it as PDF/A-2a (tagged, archival).
pub fn render(doc: &Doc) -> Result<Vec<u8>, String> {
    let data = serde_json::to_vec(doc).map_err(|e| e.to_string())?;
    let world = DocWorld {
        shared: &SHARED,
        data: Bytes::new(data),
    };
    let warned = typst::compile::<PagedDocument>(&world);
    let document = warned
        .output
        .map_err(|d| format!("sättningen misslyckades: {}", describe(&d)))?;
    let standards =
        PdfStandards::new(&[PdfStandard::A_2a]).map_err(|e| format!("PDF/A: {}", e.message()))?;
    let options = PdfOptions {
        ident: Smart::Custom(doc.meta.full_title.clone()),
        creator: Smart::Custom(Some("Kansli".into())),
        standards,
        tagged: true,
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options)
        .map_err(|d| format!("PDF kunde inte skrivas: {}", describe(&d)));
    // Keep typst's memo cache from growing without bound in a long-running
    // server: entries unused for a few compilations are dropped.
    typst::comemo::evict(4);
    pdf
}

-- An officer's report may be secret, like a document: the ground in
-- offentlighets- och sekretesslagen (2009:400) is kept, NULL when public.
-- A case whose report is secret is not shown to the public (see
-- kansli_documents::view).
ALTER TABLE officer_reports ADD COLUMN secrecy_ground TEXT;

"""Real human datasets shipped with mirrorlab, each folder verbatim from its source with the
source's own licence text; ``SOURCES.md`` lists source, licence and content. The bundled
mappings (``db/mappings/*.toml``) name the files here; ``mirrorlab import NAME`` reads them.
"""

"""Declarative field mappings between connector streams and canonical entities."""

from hub.mapping.compiled import CompiledField, CompiledMapping, MappedIn, Resolver
from hub.mapping.errors import MappingError, MappingFileError
from hub.mapping.loader import load_dir, load_file, load_text, mapping_files
from hub.mapping.spec import FieldSpec, MappingSpec

__all__ = [
    "CompiledField",
    "CompiledMapping",
    "FieldSpec",
    "MappedIn",
    "MappingError",
    "MappingFileError",
    "MappingSpec",
    "Resolver",
    "load_dir",
    "load_file",
    "load_text",
    "mapping_files",
]

"""The mapping file format, as a pydantic model (which also exports the JSON Schema editors use).

One file maps one connector stream to one canonical entity::

    connector: zoho-crm          # registered connector name
    stream: accounts             # the connector's stream
    entity: customer             # canonical entity
    owner: zoho-crm              # default owner of every field (who wins a conflict)
    match: [tax_id, name]        # how an unlinked remote record finds its twin
    fields:
      name: {path: Account_Name}                       # same path both ways
      tax_id: {path: Tax_ID, owner: kingdee}
      status: {path: Account_Status, values: {Active: active, Inactive: inactive}}
      amount: {in: "{{ record.Grand_Total | decimal }}", out: Grand_Total}
      customer_id: {path: Account_Name.id, ref: customer}
    extra:                       # a company's own fields, kept in the entity's extra map
      region: {path: Region__c}
    constants:                   # remote fields always written with these values
      Layout: {id: "4000000000001"}
    push_when: "{{ record.kind == 'vat_special' }}"   # optional: which records this stream creates
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Direction = Literal["in", "out", "both"]


class FieldSpec(BaseModel):
    """How one canonical field maps to and from the remote record."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    path: str | None = Field(
        None, description="Remote field path used both ways (dots walk nested objects)."
    )
    in_: str | None = Field(
        None, alias="in", description="Remote -> canonical: a path or a {{ expression }}."
    )
    out: str | None = Field(None, description="Canonical -> remote: the remote path to write.")
    out_value: str | None = Field(
        None,
        description="Canonical -> remote: a {{ expression }} computing the value written at `out`.",
    )
    direction: Direction | None = Field(
        None, description="Defaults from which of in/out are given."
    )
    owner: str | None = Field(
        None, description="System whose value wins on conflict (connector name or 'hub')."
    )
    values: dict[str, Any] | None = Field(
        None, description="Enumeration map, remote value -> canonical value."
    )
    values_out: dict[str, Any] | None = Field(
        None, description="Canonical -> remote map when the inverse of `values` is ambiguous."
    )
    default: Any = Field(None, description="Canonical value when the remote has none.")
    ref: str | None = Field(
        None, description="Entity this field references: the remote holds the twin's id."
    )
    always_send: bool = Field(
        False,
        description="Send on every update, changed or not (a parent id the vendor needs each time).",
    )
    ref_key: Literal["remote_id", "remote_key"] = Field(
        "remote_id",
        description="Which remote identifier the reference holds (id or document number).",
    )

    @model_validator(mode="after")
    def _shape(self) -> FieldSpec:
        if self.path and (self.in_ or self.out):
            raise ValueError("give either `path` or `in`/`out`, not both")
        if not (self.path or self.in_ or self.out):
            raise ValueError("needs `path`, `in` or `out`")
        if self.out_value and not (self.out or self.path):
            raise ValueError("`out_value` needs `out` (the remote path to write)")
        return self

    @property
    def inbound(self) -> str | None:
        """Source of the inbound value, if the field maps inbound."""
        return None if self.direction == "out" else (self.path or self.in_)

    @property
    def outbound(self) -> str | None:
        """Remote path written outbound, if the field maps outbound."""
        if self.direction == "in":
            return None
        target = self.path or self.out
        if target and ("{{" in target or "{%" in target):
            return None  # an inbound-only expression used as path
        return target

    @property
    def effective_direction(self) -> Direction:
        """The direction given, or derived from which sides exist."""
        if self.direction:
            return self.direction
        has_in, has_out = self.inbound is not None, self.outbound is not None
        return "both" if has_in and has_out else ("in" if has_in else "out")


class MappingSpec(BaseModel):
    """A whole mapping file; see the module docstring."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    connector: str = Field(description="Registered connector name, e.g. zoho-crm.")
    stream: str = Field(description="Stream of that connector.")
    entity: str = Field(description="Canonical entity.")
    description: str = ""
    owner: str | None = Field(None, description="Default owner of every field.")
    match: list[str] = Field(
        default_factory=list, description="Canonical fields used to find an unlinked twin."
    )
    fields: dict[str, FieldSpec]
    extra: dict[str, FieldSpec] = Field(
        default_factory=dict, description="Custom fields kept in `extra`."
    )
    constants: dict[str, Any] = Field(
        default_factory=dict, description="Remote fields always written as given."
    )
    push_when: str | None = Field(
        None,
        description="{{ expression }} on the canonical record; only records for which it is true "
        "are created through this stream (e.g. special vs normal VAT invoices in separate forms).",
    )

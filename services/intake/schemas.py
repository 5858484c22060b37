"""intake's wire format; the schemas live in ``shared.wire.intake`` so callers share them."""

from shared.wire.intake import (  # noqa: F401
    FileInputSchema,
    LeadEventSchema,
    LeadInputSchema,
    LeadSchema,
    load_lead_input,
)

"""Catalogue representations. They only shape data; selectors and fees compute it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procedures.models import Agency, Procedure, Sector
from procedures.selectors import procedure_form_schema


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["code", "name", "name_en"]


class AgencyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name"]


class AgencySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Agency
        fields = ["code", "name", "name_en", "level", "parent", "is_one_stop_centre", "address"]


class FeeSummarySerializer(serializers.Serializer):
    counter = serializers.IntegerField(help_text="Net amount at the counter today, VND.")
    online = serializers.IntegerField(allow_null=True, help_text="Net amount online today, VND.")
    free = serializers.BooleanField()
    text = serializers.CharField()


class ProcedureListSerializer(serializers.ModelSerializer):
    sector = SectorSerializer(read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    fee_summary = serializers.SerializerMethodField()

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name",
            "name_en",
            "sector",
            "level",
            "service_level",
            "agency",
            "processing_days",
            "online_processing_days",
            "fee_summary",
        ]

    @extend_schema_field(FeeSummarySerializer)
    def get_fee_summary(self, procedure) -> dict:
        return self.context["fee_summaries"][procedure.pk].as_dict()


class RequiredDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    note = serializers.CharField()
    required = serializers.BooleanField()
    accepted_types = serializers.ListField(
        child=serializers.CharField(), source="accepted_type_list"
    )
    max_size_mb = serializers.IntegerField()
    reusable = serializers.BooleanField()
    template_url = serializers.SerializerMethodField()

    def get_template_url(self, document) -> str | None:
        if not document.template:
            return None
        request = self.context.get("request")
        url = document.template.url
        return request.build_absolute_uri(url) if request else url


class FeeItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    amount = serializers.IntegerField(help_text="VND, at the counter.")
    online_amount = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField()
    category = serializers.CharField(source="category.code")
    legal_basis = serializers.CharField()


class OnlineDiscountSerializer(serializers.Serializer):
    rule = serializers.CharField()
    legal_basis = serializers.CharField()
    percent = serializers.IntegerField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class ProcedureDetailSerializer(ProcedureListSerializer):
    steps = serializers.SerializerMethodField()
    legal_basis = serializers.SerializerMethodField()
    required_documents = RequiredDocumentSerializer(many=True, read_only=True)
    form_schema = serializers.SerializerMethodField()
    fees = FeeItemSerializer(many=True, read_only=True, source="fee_items")
    online_discounts = serializers.SerializerMethodField()
    fee_quote = serializers.SerializerMethodField()

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "processing_note",
            "description",
            "legal_basis",
            "steps",
            "result_type",
            "required_documents",
            "form_schema",
            "fees",
            "online_discounts",
            "fee_quote",
        ]

    def get_steps(self, procedure) -> list[str]:
        return [line.strip() for line in procedure.steps.splitlines() if line.strip()]

    def get_legal_basis(self, procedure) -> list[str]:
        return [line.strip() for line in procedure.legal_basis.splitlines() if line.strip()]

    @extend_schema_field({"type": "object", "description": "JSON Schema of the procedure's form."})
    def get_form_schema(self, procedure) -> dict:
        return procedure_form_schema(procedure)

    @extend_schema_field(OnlineDiscountSerializer(many=True))
    def get_online_discounts(self, procedure) -> list[dict]:
        return [
            {
                "rule": rule.name,
                "legal_basis": rule.legal_basis,
                "percent": rule.percent,
                "valid_from": rule.valid_from,
                "valid_to": rule.valid_to,
            }
            for rule in self.context["online_rules"]
        ]

    @extend_schema_field(
        {
            "type": "object",
            "description": "Today's quotes {counter, online}: items, gross, discount, net, rule.",
        }
    )
    def get_fee_quote(self, procedure) -> dict:
        summary = self.context["fee_summaries"][procedure.pk]
        return {
            "counter": summary.counter.as_dict(),
            "online": summary.online.as_dict() if summary.online else None,
        }

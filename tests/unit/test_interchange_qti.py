"""QTI 2.1 packages: the manifest and every item checked the way the schema would — namespace, structure, each
interaction's response declared with its key — since no XSD is at hand here."""
import io
import xml.etree.ElementTree as ET
import zipfile

import pytest

from app.domain.banks import validate_documents
from app.domain.interchange.qti import CP, ITEM_RESOURCE, QTI, TEMPLATES, item_identifier, write_qti
from app.domain.sources import read_sources
from app.domain.text import count_blanks
from plugins.banks import BANKS, without_materials

INTERACTIONS = ("choiceInteraction", "textEntryInteraction", "extendedTextInteraction", "orderInteraction",
                "matchInteraction")


def sample_banks():
    banks, problems = validate_documents(read_sources([BANKS]).banks)
    assert problems == []
    return [without_materials(bank) for bank in banks]     # a material is left out (test_material.py)


def q(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


@pytest.mark.parametrize("bank", sample_banks(), ids=lambda bank: bank.slug)
def test_the_manifest_lists_every_item_and_nothing_else(bank):
    assert QTI == "http://www.imsglobal.org/xsd/imsqti_v2p1" and CP == "http://www.imsglobal.org/xsd/imscp_v1p1"
    package = zipfile.ZipFile(io.BytesIO(write_qti(bank)))
    assert package.namelist()[0] == "imsmanifest.xml"
    manifest = ET.fromstring(package.read("imsmanifest.xml"))
    assert manifest.tag == f"{{{CP}}}manifest"
    assert manifest.findtext(f"{{{CP}}}metadata/{{{CP}}}schema") == "QTIv2.1 Package"
    resources = manifest.findall(f"{{{CP}}}resources/{{{CP}}}resource")
    assert all(resource.get("type") == ITEM_RESOURCE for resource in resources)
    assert all(resource.find(f"{{{CP}}}file").get("href") == resource.get("href") for resource in resources)
    hrefs = [resource.get("href") for resource in resources]
    assert sorted(hrefs) == sorted(name for name in package.namelist() if name != "imsmanifest.xml")
    assert hrefs == [f"items/{question.id}.xml" for question in bank.questions]
    for resource in resources:
        item = ET.fromstring(package.read(resource.get("href")))
        assert item.tag == q("assessmentItem") and item.get("identifier") == resource.get("identifier")
        assert all(element.tag.startswith(f"{{{QTI}}}") for element in item.iter())     # XHTML included


@pytest.mark.parametrize("bank", sample_banks(), ids=lambda bank: bank.slug)
def test_each_item_declares_the_response_its_interaction_gives_with_its_key(bank):
    package = zipfile.ZipFile(io.BytesIO(write_qti(bank)))
    for question in bank.questions:
        item = ET.fromstring(package.read(f"items/{question.id}.xml"))
        assert item.get("identifier") == item_identifier(question.id) and item.get("adaptive") == "false"
        assert [child.tag for child in item][-2:] in ([q("itemBody"), q("responseProcessing")],
                                                     [q("outcomeDeclaration"), q("itemBody")])
        declared = {d.get("identifier"): d for d in item.findall(q("responseDeclaration"))}
        interactions = [e for name in INTERACTIONS for e in item.iter(q(name))]
        assert sorted(e.get("responseIdentifier") for e in interactions) == sorted(declared), question.id
        assert item.find(q("outcomeDeclaration")).get("identifier") == "SCORE"
        processing = item.find(q("responseProcessing"))
        interaction = interactions[0]
        if interaction.tag == q("choiceInteraction"):
            declaration = declared["RESPONSE"]
            choices = [choice.get("identifier") for choice in interaction.findall(q("simpleChoice"))]
            keys = [value.text for value in declaration.iter(q("value"))]
            assert keys and set(keys) <= set(choices) and declaration.get("baseType") == "identifier"
            single = declaration.get("cardinality") == "single"
            assert (interaction.get("maxChoices") == "1") is single and (len(keys) == 1) is single
            assert processing.get("template") == f"{TEMPLATES}match_correct"
        elif interaction.tag == q("orderInteraction"):
            declaration = declared["RESPONSE"]
            choices = [choice.get("identifier") for choice in interaction.findall(q("simpleChoice"))]
            assert choices == list(question.options) and interaction.get("shuffle") == "true"
            assert declaration.get("cardinality") == "ordered" and declaration.get("baseType") == "identifier"
            assert [value.text for value in declaration.iter(q("value"))] == question.answer
            assert processing.get("template") == f"{TEMPLATES}match_correct"
        elif interaction.tag == q("matchInteraction"):
            declaration = declared["RESPONSE"]
            assert (declaration.get("cardinality"), declaration.get("baseType")) == ("multiple", "directedPair")
            pairs = [f"P{n} {letter}" for n, letter in enumerate(question.answer, start=1)]
            assert [value.text for value in declaration.iter(q("value"))] == pairs
            sources, targets = interaction.findall(q("simpleMatchSet"))
            assert len(sources) == len(question.prompts) and len(targets) == len(question.options)
            assert processing.get("template") == f"{TEMPLATES}map_response"
        elif interaction.tag == q("textEntryInteraction") and declared[interaction.get("responseIdentifier")].get(
                "baseType") == "float":
            assert len(interactions) == count_blanks(question.stem)
            values = [d.findtext(f"{q('correctResponse')}/{q('value')}") for d in declared.values()]
            assert values == [step["value"] for step in question.answer]
            assert len(processing.findall(f"{q('responseCondition')}/{q('responseIf')}/{q('equal')}")) == len(values)
        elif interaction.tag == q("textEntryInteraction"):
            assert len(interactions) == count_blanks(question.stem)
            for declaration, variants in zip(declared.values(), question.answer, strict=True):
                keys = [entry.get("mapKey") for entry in declaration.iter(q("mapEntry"))]
                assert keys == variants and declaration.findtext(f"{q('correctResponse')}/{q('value')}") == keys[0]
            if len(interactions) == 1:
                assert processing.get("template") == f"{TEMPLATES}map_response"
            else:
                summed = [e.get("identifier") for e in processing.iter(q("mapResponse"))]
                assert summed == list(declared)
        else:
            assert processing is None and declared["RESPONSE"].find(q("correctResponse")) is None
            scorer = item.find(f"{q('itemBody')}/{q('rubricBlock')}[@view='scorer']")
            assert "评分要点" in "".join(scorer.itertext())


def test_the_same_bank_makes_the_same_package():
    bank = sample_banks()[0]
    assert write_qti(bank) == write_qti(bank)

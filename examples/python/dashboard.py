"""A dashboard backend in Python driving Faultline workflows with the official `temporalio` SDK.

Everything it needs to know about the workflows is read from contracts/json-schema/ (generated
from the TypeScript contracts by `npm run schemas`): type names, task queue, workflow id
templates, start policies, the typed search attributes the TypeScript client sets, and the
input schemas. Nothing here imports or copies TypeScript.

    python dashboard.py start generateDatasetWorkflow request.json [--watch]
    python dashboard.py progress dataset-ds-demo
    python dashboard.py attach dataset-ds-demo          # follow a run someone else started
    python dashboard.py result dataset-ds-demo

Every line on stdout is one JSON object (`{"event": ...}`), so another program can read it.
Exit codes: 0 ok, 1 the run failed or was cancelled, 2 the request was refused before starting.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import referencing
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.converter import (
    AdvancedJSONEncoder,
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "contracts" / "json-schema"
EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


# --- Strict JSON -----------------------------------------------------------------------------
# Python's json module writes NaN and Infinity as bare tokens, which are not JSON. Faultline's
# workers decode them and refuse the input by field name, but a dashboard should not send them
# at all: refuse them while reading the request, and make the SDK's encoder refuse them too.


class StrictJSONEncoder(AdvancedJSONEncoder):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**kwargs, "allow_nan": False})


class StrictPayloadConverter(CompositePayloadConverter):
    """The SDK's default converters, with the JSON one encoding strictly."""

    def __init__(self) -> None:
        super().__init__(
            *(
                JSONPlainPayloadConverter(encoder=StrictJSONEncoder) if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


STRICT_DATA_CONVERTER = dataclasses.replace(DataConverter.default, payload_converter_class=StrictPayloadConverter)


class Refused(Exception):
    """The request was refused before anything was sent; the message names the field."""


def refuse_non_finite(value: Any, path: str = "") -> None:
    """NaN and ±Infinity anywhere in a request, refused by field (JSON Schema's "number" admits NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise Refused(f"{path or '(root)'}: must be a finite number (got {value})")
    if isinstance(value, dict):
        for k, v in value.items():
            refuse_non_finite(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            refuse_non_finite(v, f"{path}.{i}" if path else str(i))


# --- The contracts, read from contracts/json-schema ---------------------------------------------


def load_index() -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / "index.json").read_text())


def _schema_registry() -> referencing.Registry:
    resources = [
        (path.name, referencing.Resource.from_contents(json.loads(path.read_text())))
        for path in SCHEMA_DIR.glob("*.input.json")
    ]
    return referencing.Registry().with_resources(resources)


def _path_of(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(root)"


def validate_request(workflow: Mapping[str, Any], request: Any) -> None:
    """Refuse a request that is not strict JSON or that its JSON Schema rejects, naming every bad field."""
    refuse_non_finite(request)
    schema = json.loads((SCHEMA_DIR / workflow["input"]).read_text())
    validator = jsonschema.Draft202012Validator(schema, registry=_schema_registry())
    errors = sorted(validator.iter_errors(request), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise Refused("; ".join(f"{_path_of(e)}: {e.message}" for e in errors[:10]))


def _field(request: Mapping[str, Any], dotted: str) -> Any:
    value: Any = request
    for key in dotted.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def workflow_id_for(workflow: Mapping[str, Any], request: Mapping[str, Any]) -> str:
    entity = workflow["workflowId"]["entityField"]
    if not isinstance(request.get(entity), str):
        raise Refused(f"{entity}: required to name the run (workflow id {workflow['workflowId']['template']})")
    return workflow["workflowId"]["template"].replace("{" + entity + "}", request[entity])


def search_attributes_for(index: Mapping[str, Any], workflow: Mapping[str, Any], request: Mapping[str, Any]) -> TypedSearchAttributes:
    """The same typed attributes the TypeScript client sets, so runs filter alike in the Web UI."""
    makers = {"Keyword": SearchAttributeKey.for_keyword, "Double": SearchAttributeKey.for_float}
    pairs = []
    for name, template in workflow["searchAttributes"].items():
        value = _field(request, template[1:-1]) if template.startswith("{") else template
        if value is None:
            continue  # e.g. FaultlineDatasetId of an XAI batch that selects signals by id
        pairs.append(SearchAttributePair(makers[index["searchAttributes"][name]](name), value))
    return TypedSearchAttributes(pairs)


# --- Commands ----------------------------------------------------------------------------------


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}, default=str), flush=True)


async def connect(args: argparse.Namespace) -> Client:
    return await Client.connect(args.address, namespace=args.namespace, data_converter=STRICT_DATA_CONVERTER)


async def start(args: argparse.Namespace) -> int:
    index = load_index()
    workflow = index["workflows"].get(args.workflow_type)
    if workflow is None:
        raise Refused(f"workflow type: {args.workflow_type!r} is not one of {sorted(index['workflows'])}")
    text = args.request if args.request.lstrip().startswith("{") else Path(args.request).read_text()
    request = json.loads(text)  # bare NaN / Infinity parse here and are refused by field below
    validate_request(workflow, request)
    workflow_id = workflow_id_for(workflow, request)
    client = await connect(args)
    running_before = await running_run_id(client, workflow_id)
    try:
        handle = await client.start_workflow(
            args.workflow_type,  # by TYPE NAME: no workflow code here
            request,
            id=workflow_id,
            task_queue=workflow["taskQueue"],
            id_conflict_policy=WorkflowIDConflictPolicy[workflow["startOptions"]["workflowIdConflictPolicy"]],
            id_reuse_policy=WorkflowIDReusePolicy[workflow["startOptions"]["workflowIdReusePolicy"]],
            search_attributes=search_attributes_for(index, workflow, request),
            # No execution timeout: every activity carries its own deadline (index.json startOptions).
        )
        run_id = handle.first_execution_run_id
        emit("started", workflowId=handle.id, runId=run_id, alreadyExisted=run_id == running_before)
    except WorkflowAlreadyStartedError:
        # A run of this id completed: it is final (ALLOW_DUPLICATE_FAILED_ONLY), so attach to it.
        handle = client.get_workflow_handle(workflow_id)
        described = await handle.describe()
        emit("started", workflowId=handle.id, runId=described.run_id, alreadyExisted=True)
    return await follow(handle) if args.watch else EXIT_OK


async def running_run_id(client: Client, workflow_id: str) -> str | None:
    """The run id when `workflow_id` is running now (USE_EXISTING then returns that very run)."""
    try:
        described = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return described.run_id if described.status is not None and described.status.name == "RUNNING" else None


async def progress(args: argparse.Namespace) -> int:
    client = await connect(args)
    emit("progress", workflowId=args.workflow_id, progress=await client.get_workflow_handle(args.workflow_id).query("progress"))
    return EXIT_OK


async def attach(args: argparse.Namespace) -> int:
    """Follow a run by workflow id alone, e.g. one the TypeScript client or the CLI started."""
    client = await connect(args)
    handle = client.get_workflow_handle(args.workflow_id)
    described = await handle.describe()
    emit(
        "attached",
        workflowId=described.id,
        runId=described.run_id,
        type=described.workflow_type,
        status=described.status.name if described.status else None,
        searchAttributes={pair.key.name: pair.value for pair in described.typed_search_attributes},
    )
    return await follow(handle)


async def result(args: argparse.Namespace) -> int:
    client = await connect(args)
    return await report_result(client.get_workflow_handle(args.workflow_id))


async def follow(handle: WorkflowHandle[Any, Any], every_s: float = 0.5) -> int:
    """Poll `progress` (fraction 0..1) until the run closes, printing each change, then the result."""
    last = None
    while True:
        described = await handle.describe()
        try:
            current = await handle.query("progress")
        except Exception as err:  # no worker answered yet: progress is optional, status is not
            current = None
            emit("progress-unavailable", workflowId=handle.id, reason=str(err))
        if current is not None and current != last:
            last = current
            emit("progress", workflowId=handle.id, progress=current)
        if described.status is not None and described.status.name != "RUNNING":
            break
        await asyncio.sleep(every_s)
    return await report_result(handle)


async def report_result(handle: WorkflowHandle[Any, Any]) -> int:
    try:
        value = await handle.result()
    except WorkflowFailureError as err:
        cause = err.cause
        root = getattr(cause, "cause", None) or cause
        emit(
            "failed",
            workflowId=handle.id,
            failure={"type": getattr(root, "type", type(root).__name__), "message": str(root)},
        )
        return EXIT_FAILED
    emit("result", workflowId=handle.id, result=value)
    return EXIT_OK


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="127.0.0.1:7233")
    parser.add_argument("--namespace", default="default")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("start", help="validate a request and start the workflow by type name")
    p.add_argument("workflow_type", help="a workflow type name from contracts/json-schema/index.json")
    p.add_argument("request", help="the input as inline JSON or a JSON file")
    p.add_argument("--watch", action="store_true", help="follow progress and print the result")
    p.set_defaults(run=start)
    for name, run, text in (
        ("progress", progress, "query a run's progress once"),
        ("attach", attach, "describe a run by workflow id and follow it to its result"),
        ("result", result, "wait for a run's result"),
    ):
        p = commands.add_parser(name, help=text)
        p.add_argument("workflow_id")
        p.set_defaults(run=run)
    args = parser.parse_args(argv)
    try:
        return asyncio.run(args.run(args))
    except Refused as err:
        emit("refused", message=str(err))
        return EXIT_REFUSED


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: the SDK's Rust runtime threads can abort a short-lived client
    # process while Python finalizes ("PyGILState_Release: thread state ... must be current",
    # temporalio/sdk-python#300), turning a finished command into a crash exit code.
    os._exit(code)

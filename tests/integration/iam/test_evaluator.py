"""The IAM evaluator itself: it judges conditions and policy variables, and refuses to guess."""

from __future__ import annotations

import pytest

from local.errors import IamEvaluatorError
from local.iam.evaluator import IamRequest, evaluate

pytestmark = pytest.mark.iam

ACCOUNT = "123456789012"
BUCKET = "arn:aws:s3:::bucket"
TAGGED = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/tenant=${{aws:PrincipalTag/TenantId}}/*"}
    ],
}


def read(key: str, tag: str, **context: str) -> IamRequest:
    return IamRequest(
        principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/pooled/s",
        action="s3:GetObject",
        resource=f"{BUCKET}/{key}",
        account=ACCOUNT,
        identity_policies=("tagged",),
        context={"aws:PrincipalTag/TenantId": tag, **context},
    )


def test_it_resolves_the_session_tag_in_the_resource() -> None:
    results = evaluate({"tagged": TAGGED}, [read("tenant=acme/x", "acme"), read("tenant=acme/x", "globex")])
    assert results == ["Allowed", "ImplicitlyDenied"]


def test_it_refuses_a_request_it_cannot_judge_as_given() -> None:
    with pytest.raises(IamEvaluatorError, match="ignores context keys"):
        evaluate({"tagged": TAGGED}, [read("tenant=acme/x", "acme", **{"s3:prefix": "tenant=acme/"})])
    bad = IamRequest("arn:aws:iam::123456789012:role/r", "s3:GetObjekt", f"{BUCKET}/k", ACCOUNT, ("tagged",))
    with pytest.raises(IamEvaluatorError, match="cannot evaluate"):
        evaluate({"tagged": TAGGED}, [bad])

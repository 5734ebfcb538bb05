"""Tenant identity: the Cognito user pool whose ID tokens the API's authorizer verifies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from functions.contracts.identity import TENANT_ATTRIBUTES
from tiers.naming import Namer, logical

MIN_PASSWORD_LENGTH = 12
TEMPORARY_PASSWORD_DAYS = 3
ID_TOKEN_MINUTES = 60
REFRESH_TOKEN_DAYS = 30
# What tenant apps may read and write on their own users; never the tenant attributes.
APP_READ_ATTRIBUTES = ("email", "email_verified", *(attribute.claim for attribute in TENANT_ATTRIBUTES))
APP_WRITE_ATTRIBUTES = ("email",)
# Secure Remote Password sign-in and refresh only: no password is ever sent to Cognito in clear.
APP_AUTH_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


@dataclass
class TenantIdentityArgs:
    namer: Namer
    deletion_protection: bool
    tags: Mapping[str, str]


class TenantIdentity(pulumi.ComponentResource):
    user_pool: aws.cognito.UserPool
    app_client: aws.cognito.UserPoolClient

    def __init__(self, name: str, args: TenantIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:ingestion:TenantIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.user_pool = aws.cognito.UserPool(
            logical(name, "users"),
            name=args.namer.physical("cognito-pool", "tenant-users"),
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            # Users belong to a tenant from the start: only administrators create them.
            admin_create_user_config={"allow_admin_create_user_only": True},
            schemas=[
                {
                    "name": attribute.name,
                    "attribute_data_type": "String",
                    "mutable": False,
                    "developer_only_attribute": False,
                    "required": False,
                    "string_attribute_constraints": {
                        "min_length": str(attribute.min_length),
                        "max_length": str(attribute.max_length),
                    },
                }
                for attribute in TENANT_ATTRIBUTES
            ],
            password_policy={
                "minimum_length": MIN_PASSWORD_LENGTH,
                "require_lowercase": True,
                "require_uppercase": True,
                "require_numbers": True,
                "require_symbols": True,
                "temporary_password_validity_days": TEMPORARY_PASSWORD_DAYS,
            },
            mfa_configuration="OPTIONAL",
            software_token_mfa_configuration={"enabled": True},
            account_recovery_setting={"recovery_mechanisms": [{"name": "verified_email", "priority": 1}]},
            user_attribute_update_settings={"attributes_require_verification_before_updates": ["email"]},
            deletion_protection="ACTIVE" if args.deletion_protection else "INACTIVE",
            tags=dict(args.tags),
            opts=child,
        )
        self.app_client = aws.cognito.UserPoolClient(
            logical(name, "app-client"),
            name=args.namer.physical("cognito-client", "tenant-apps"),
            user_pool_id=self.user_pool.id,
            generate_secret=False,  # tenant apps are public clients (browser, mobile)
            explicit_auth_flows=list(APP_AUTH_FLOWS),
            read_attributes=list(APP_READ_ATTRIBUTES),
            write_attributes=list(APP_WRITE_ATTRIBUTES),
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            id_token_validity=ID_TOKEN_MINUTES,
            access_token_validity=ID_TOKEN_MINUTES,
            refresh_token_validity=REFRESH_TOKEN_DAYS,
            token_validity_units={"id_token": "minutes", "access_token": "minutes", "refresh_token": "days"},
            opts=child,
        )
        self.register_outputs({"userPoolId": self.user_pool.id, "appClientId": self.app_client.id})

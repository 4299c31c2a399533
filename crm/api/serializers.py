from rest_framework import serializers

from crm.models import Role, Team, User


class TeamRefSerializer(serializers.ModelSerializer[Team]):
    class Meta:
        model = Team
        fields = ("id", "name")


class UserOutputSerializer(serializers.ModelSerializer[User]):
    team = TeamRefSerializer(read_only=True, allow_null=True)
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "role",
            "team",
            "title",
            "phone",
            "is_active",
            "date_joined",
        )


class UserInputSerializer(serializers.Serializer[User]):
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.REP)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False, default=None
    )
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    password = serializers.CharField(
        write_only=True, required=False, allow_null=True, default=None, min_length=8
    )


class UserUpdateSerializer(serializers.Serializer[User]):
    email = serializers.EmailField(max_length=254, required=False)
    first_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class DeactivateInputSerializer(serializers.Serializer[User]):
    reassign_to = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False, default=None
    )


class TeamOutputSerializer(serializers.ModelSerializer[Team]):
    manager: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    parent = serializers.PrimaryKeyRelatedField[Team](  # type: ignore[assignment]
        read_only=True, allow_null=True
    )

    class Meta:
        model = Team
        fields = ("id", "name", "parent", "manager", "path", "created_at")


class TeamInputSerializer(serializers.Serializer[Team]):
    name = serializers.CharField(max_length=120)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False, default=None
    )  # type: ignore[assignment]
    manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False, default=None
    )


class TeamUpdateSerializer(serializers.Serializer[Team]):
    name = serializers.CharField(max_length=120, required=False)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )  # type: ignore[assignment]
    manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

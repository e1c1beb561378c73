"""Labeling routes: the settings a page starts from, comments to label, and training personal and group models."""

from __future__ import annotations

from flask import Flask, jsonify, request

from indielabel.audit import flags as user_flags
from indielabel.audit import overview as audit_overview
from indielabel.audit.service import MODEL_NAME_SUGGESTION
from indielabel.web import schemas
from indielabel.web.request_handling import body, query, require_owner


def register(app: Flask, service, flags) -> None:
    @app.get("/audit_settings")
    def audit_settings():
        user = query(schemas.UserQuery).user
        require_owner(user)
        audit = service()
        return jsonify(user=user,
                       personalized_models=audit.models_of(user), models=audit.model_summaries(user),
                       personalized_model_grp=audit.models_of(user, kind="group"),
                       clusters=audit.topic_groups(user), clusters_for_tuning=audit.tuning_topics(),
                       topic_labels=audit.topic_labels, breakdown_axes=audit_overview.breakdown_axes(audit),
                       group_attributes=audit.group_attributes(), flagging=user_flags.describe(flags),
                       avid_enabled=audit.settings.avid_enabled, feedback_url=audit.settings.feedback_url,
                       dataset={"name": audit.data.name, "n_items": len(audit.data.items),
                                "synthetic": audit.data.meta.get("source") == "synthetic"})

    @app.get("/get_labeling")
    def get_labeling():
        params = query(schemas.UserQuery)
        require_owner(params.user)
        audit = service()
        return jsonify(personalized_models=audit.models_of(params.user),
                       model_name_suggestion=MODEL_NAME_SUGGESTION, clusters_for_tuning=audit.tuning_topics())

    def comments_to_label(params: schemas.CommentsToLabelQuery):
        if params.user is not None:
            require_owner(params.user)
        audit = service()
        sampler = params.sampler or audit.settings.label_sampler
        return jsonify(to_label=audit.comments_to_label(params.n, params.topic, exclude=params.excluded_ids,
                                                        sampler=sampler, user=params.user), sampler=sampler)

    @app.get("/get_comments_to_label")
    def get_comments_to_label():
        return comments_to_label(query(schemas.CommentsToLabelQuery))

    @app.get("/get_comments_to_label_topic")
    def get_comments_to_label_topic():
        return comments_to_label(query(schemas.TopicCommentsQuery))

    @app.post("/get_personalized_model")
    def get_personalized_model():
        params = body(schemas.TrainBody)
        require_owner(params.user)
        audit = service()
        if params.mode == "view":
            return jsonify(audit.describe(params.user, params.model_name))
        return jsonify(audit.train(params.user, params.model_name, params.ratings))

    @app.post("/get_personalized_model_topic")
    def get_personalized_model_topic():
        params = body(schemas.TopicTrainBody)
        require_owner(params.user)
        audit = service()
        response = audit.train_topic(params.user, params.model_name, params.topic, params.ratings)
        return jsonify(success=True, **response)

    @app.post("/log_label")
    def log_label():
        params = body(schemas.LabelLogBody)
        require_owner(params.user)
        return jsonify(user_flags.record_label(service(), flags, params.user, params.model, params.item_id,
                                               params.label))

    @app.get("/get_group_size")
    def get_group_size():
        selection = {name: [v for v in value.split(",") if v] for name, value in request.args.items()}
        return jsonify(group_size=service().group_size({k: v for k, v in selection.items() if v}))

    @app.post("/get_group_model")
    def get_group_model():
        params = body(schemas.GroupModelBody)
        require_owner(params.user)
        return jsonify(service().train_group(params.user, params.model_name, params.selection))

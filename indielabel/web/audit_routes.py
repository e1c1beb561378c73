"""Auditing routes: the overview, you vs. others, similar comments, a topic's or keyword's comments, and Explore."""

from __future__ import annotations

from flask import Flask, jsonify

from indielabel.audit import overview as audit_overview
from indielabel.web import schemas
from indielabel.web.request_handling import query, require_owner


def register(app: Flask, service) -> None:
    @app.get("/get_audit")
    def get_audit():
        params = query(schemas.AuditQuery)
        require_owner(params.user)
        return jsonify(audit_overview.overview(service(), params.user, params.model, params.topic_vis_method,
                                               params.breakdown_axis))

    @app.get("/get_comparison")
    def get_comparison():
        params = query(schemas.ComparisonQuery)
        require_owner(params.user)
        return jsonify(audit_overview.comparison(service(), params.user, params.model, params.compare_with))

    @app.get("/get_similar_comments")
    def get_similar_comments():
        params = query(schemas.SimilarQuery)
        require_owner(params.user)
        return jsonify(audit_overview.similar_comments(service(), params.user, params.model, params.item_id,
                                                       params.n))

    @app.get("/get_cluster_results")
    def get_cluster_results():
        params = query(schemas.ClusterQuery)
        require_owner(params.user)
        return jsonify(service().cluster_results(
            params.user, params.model, search_type=params.search_type, topic=params.topic,
            keyword=params.keyword, whole_word=params.whole_word, error_type=params.error_type,
            limit=params.limit))

    @app.get("/get_explore_examples")
    def get_explore_examples():
        params = query(schemas.ExploreQuery)
        return jsonify(examples=service().explore(params.n_examples))

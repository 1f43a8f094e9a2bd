package dev.relay.workspace.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.workspace.repository.Channel;
import dev.relay.workspace.repository.Message;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/**
 * Message search (contract §3.8) with PostgreSQL full-text search: `websearch_to_tsquery` syntax (words, "phrases",
 * -exclusions, or), ranked by `ts_rank`, newest first among equals.
 */
@ApplicationScoped
public class SearchService {

    /** What to look for; the optional parts narrow it. {@code memberId} limits it to that agent's channels. */
    public record Query(String workspaceId, String text, Optional<String> channel, Optional<String> from,
            Optional<String> before, Optional<String> after, Optional<String> memberId, int limit) {
    }

    /** A hit with its message, channel and rank. */
    public record Hit(Message message, Channel channel, double relevance) {
    }

    @WithSession
    public Uni<List<Hit>> search(Query query) {
        StringBuilder sql = new StringBuilder("select m.id, ts_rank(m.search, q) as score from messages m "
                + "join channels c on c.id = m.channel_id, websearch_to_tsquery('simple', ?1) q "
                + "where m.workspace_id = ?2 and m.search @@ q");
        List<Object> parameters = new ArrayList<>(List.of(query.text(), query.workspaceId()));
        query.channel().ifPresent(channel -> {
            parameters.add(channel.startsWith("#") ? channel.substring(1) : channel);
            sql.append(" and c.name = ?").append(parameters.size());
        });
        query.from().ifPresent(from -> {
            parameters.add(from.startsWith("@") ? from.substring(1) : from);
            sql.append(" and m.agent_name = ?").append(parameters.size());
        });
        // Snowflake ids are decimal strings: compared as numbers they are in time order.
        query.before().ifPresent(before -> {
            parameters.add(before);
            sql.append(" and m.id::numeric < ?").append(parameters.size()).append("::numeric");
        });
        query.after().ifPresent(after -> {
            parameters.add(after);
            sql.append(" and m.id::numeric > ?").append(parameters.size()).append("::numeric");
        });
        query.memberId().ifPresent(member -> {
            parameters.add(member);
            sql.append(" and exists (select 1 from channel_members cm where cm.channel_id = m.channel_id and "
                    + "cm.agent_id = ?").append(parameters.size()).append(")");
        });
        parameters.add(query.limit());
        sql.append(" order by score desc, m.created_at desc, m.id desc limit ?").append(parameters.size());
        return Panache.getSession().flatMap(session -> {
            var ranked = session.createNativeQuery(sql.toString(), Object[].class);
            for (int i = 0; i < parameters.size(); i++) {
                ranked.setParameter(i + 1, parameters.get(i));
            }
            return ranked.getResultList();
        }).flatMap(SearchService::hits);
    }

    private static Uni<List<Hit>> hits(List<Object[]> ranked) {
        if (ranked.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        ranked.forEach(row -> scores.put((String) row[0], ((Number) row[1]).doubleValue()));
        return Message.<Message>list("id in ?1", List.copyOf(scores.keySet()))
                .flatMap(messages -> Channel
                        .<Channel>list("id in ?1", messages.stream().map(m -> m.channelId).distinct().toList())
                        .map(channels -> {
                            Map<String, Message> byId = new LinkedHashMap<>();
                            messages.forEach(m -> byId.put(m.id, m));
                            Map<String, Channel> channelById = new LinkedHashMap<>();
                            channels.forEach(c -> channelById.put(c.id, c));
                            List<Hit> hits = new ArrayList<>();
                            scores.forEach((id, score) -> {
                                Message message = byId.get(id);
                                if (message != null) {
                                    hits.add(new Hit(message, channelById.get(message.channelId), score));
                                }
                            });
                            return hits;
                        }));
    }
}

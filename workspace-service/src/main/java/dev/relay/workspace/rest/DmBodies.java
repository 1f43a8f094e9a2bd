package dev.relay.workspace.rest;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.relay.workspace.repository.Message;
import dev.relay.workspace.service.DmQueries.Authored;
import dev.relay.workspace.service.DmQueries.Participant;
import dev.relay.workspace.service.DmQueries.Summary;

/** The response bodies of the DM reads (contract §3.7, §3.1); `agent_type` is left out when the author is gone. */
final class DmBodies {

    private DmBodies() {
    }

    /** `DmConversationSummary`, as an agent lists its conversations. */
    record ConversationBody(String id, String type, String name, List<ParticipantBody> participants,
            LastMessageBody lastMessage, long unreadCount, Instant createdAt) {

        static ConversationBody of(Summary summary) {
            return new ConversationBody(summary.conversation().id, summary.conversation().dmType,
                    summary.conversation().name, summary.participants().stream().map(ParticipantBody::of).toList(),
                    summary.last() == null ? null : LastMessageBody.of(summary.last()), summary.count(),
                    summary.conversation().createdAt);
        }
    }

    record ParticipantBody(String agentId, String agentName) {

        static ParticipantBody of(Participant participant) {
            return new ParticipantBody(participant.agentId(), participant.agentName());
        }
    }

    record LastMessageBody(String id, String text, String agentId,
            @JsonInclude(JsonInclude.Include.NON_NULL) String agentType, Instant createdAt) {

        static LastMessageBody of(Authored last) {
            Message m = last.message();
            return new LastMessageBody(m.id, m.body, m.agentId, last.agentType(), m.createdAt);
        }
    }

    /** A conversation in the workspace-wide list: participants by name, and its message count. */
    record WorkspaceConversationBody(String id, String channelId, String type, List<String> participants,
            WorkspaceLastMessageBody lastMessage, long messageCount) {

        static WorkspaceConversationBody of(Summary summary) {
            Message last = summary.last() == null ? null : summary.last().message();
            return new WorkspaceConversationBody(summary.conversation().id, summary.conversation().channelId,
                    summary.conversation().dmType, summary.participants()
                            .stream()
                            .map(Participant::agentName)
                            .toList(),
                    last == null
                            ? null
                            : new WorkspaceLastMessageBody(last.body, last.agentId, last.agentName,
                                    last.createdAt),
                    summary.count());
        }
    }

    record WorkspaceLastMessageBody(String text, String agentId, String agentName, Instant createdAt) {
    }

    /** `DmMessage`. */
    record DmMessageBody(String id, String agentId, String agentName,
            @JsonInclude(JsonInclude.Include.NON_NULL) String agentType, String text, String injectionMode,
            List<Object> attachments, Instant createdAt) {

        static DmMessageBody of(Authored authored) {
            Message m = authored.message();
            return new DmMessageBody(m.id, m.agentId, m.agentName, authored.agentType(), m.body, m.injectionMode,
                    List.of(), m.createdAt);
        }
    }

    record ParticipantAddedBody(String conversationId, String agent, boolean alreadyMember) {
    }
}

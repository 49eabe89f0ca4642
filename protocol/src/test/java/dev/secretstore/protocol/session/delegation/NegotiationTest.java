package dev.secretstore.protocol.session.delegation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** SEC-40: what the entry node concludes from the members' reports, and whose word it takes. */
class NegotiationTest {
    private final List<NodeId> nodes = new ArrayList<>();
    private final Address author = KeyPair.random().address();
    private final PublicPoint y = KeyPair.random().publicKey();

    NegotiationTest() {
        for (int i = 0; i < 6; i++) nodes.add(new NodeId(KeyPair.random().publicKey()));
        nodes.sort(NodeId::compareTo);
    }

    private DelegationMessage.Held honest(int t, boolean documentKey, boolean usable) {
        return new DelegationMessage.Held(author, t, y, documentKey, usable);
    }

    private static DelegationMessage.Held lie(int t) {
        return new DelegationMessage.Held(KeyPair.random().address(), t, KeyPair.random().publicKey(), true, true);
    }

    @Test
    void nobodyReportingTheKeyLeavesTheAnswerToTheEntryNode() {
        assertThat(Negotiation.plan(Endpoint.SIGN_SCHNORR, Map.of(), Optional.empty())).isEqualTo(new Negotiation.RunLocally());
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_SERVER_KEY, Map.of(), Optional.empty())).isEqualTo(new Negotiation.RunLocally());
    }

    @Test
    void serverKeyNeedsTPlusOneIdenticalReportsAndNeverOneMembersWord_SEC40() {
        Map<NodeId, DelegationMessage.Held> reports = new HashMap<>();
        reports.put(nodes.get(0), honest(2, false, true));
        reports.put(nodes.get(1), honest(2, false, true));
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_SERVER_KEY, reports, Optional.empty()))
                .as("t = 2 needs three").isEqualTo(new Negotiation.Unavailable(Kind.CONSENSUS_TEMPORARY_UNREACHABLE));
        reports.put(nodes.get(2), honest(2, false, true));
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_SERVER_KEY, reports, Optional.empty())).isEqualTo(new Negotiation.Known(author, y));

        Map<NodeId, DelegationMessage.Held> alone = Map.of(nodes.get(3), lie(0));
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_SERVER_KEY, alone, Optional.empty()))
                .as("one member claiming t = 0").isEqualTo(new Negotiation.Unavailable(Kind.CONSENSUS_TEMPORARY_UNREACHABLE));
    }

    @Test
    void theLargestAgreeingGroupDecidesAndATieDecidesNothing_SEC40() {
        Map<NodeId, DelegationMessage.Held> reports = new HashMap<>();
        reports.put(nodes.get(0), honest(1, true, true));
        reports.put(nodes.get(1), honest(1, true, true));
        reports.put(nodes.get(2), honest(1, true, true));
        DelegationMessage.Held colluding = lie(1);
        reports.put(nodes.get(3), colluding);
        reports.put(nodes.get(4), colluding);
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_SERVER_KEY, reports, Optional.empty())).isEqualTo(new Negotiation.Known(author, y));
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_DOCUMENT_KEY, reports, Optional.empty()))
                .as("delegates come only from the agreeing group")
                .isEqualTo(new Negotiation.Delegate(nodes.subList(0, 3), 1));

        reports.put(nodes.get(5), colluding);
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_SERVER_KEY, reports, Optional.empty()))
                .isEqualTo(new Negotiation.Unavailable(Kind.CONSENSUS_TEMPORARY_UNREACHABLE));
        assertThat(Negotiation.plan(Endpoint.STORE_DOCUMENT_KEY, reports, Optional.empty()))
                .isEqualTo(new Negotiation.Unavailable(Kind.NODE_DISCONNECTED));
        assertThat(Negotiation.plan(Endpoint.SIGN_SCHNORR, reports, Optional.of(honest(1, false, false))))
                .as("an entry node holding the key adds its own voice").isEqualTo(new Negotiation.Delegate(nodes.subList(0, 3), 1));
        assertThat(Negotiation.plan(Endpoint.SIGN_SCHNORR, reports, Optional.of(lie(1))))
                .as("an entry node whose own key agrees with nobody answers itself").isEqualTo(new Negotiation.RunLocally());
    }

    @Test
    void delegatesAreTheHoldersWithWhatTheEndpointNeeds() {
        Map<NodeId, DelegationMessage.Held> reports = new HashMap<>();
        reports.put(nodes.get(0), honest(1, false, true));
        reports.put(nodes.get(1), honest(1, true, false));
        reports.put(nodes.get(2), honest(1, true, true));
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_SHADOWS, reports, Optional.empty())).isEqualTo(new Negotiation.Delegate(List.of(nodes.get(2)), 1));
        assertThat(Negotiation.plan(Endpoint.SIGN_ECDSA, reports, Optional.empty()))
                .isEqualTo(new Negotiation.Delegate(List.of(nodes.get(0), nodes.get(2)), 1));
        assertThat(Negotiation.plan(Endpoint.STORE_DOCUMENT_KEY, reports, Optional.empty()))
                .as("usability is what each holder reported for the endpoint asked")
                .isEqualTo(new Negotiation.Delegate(List.of(nodes.get(0), nodes.get(2)), 1));

        Map<NodeId, DelegationMessage.Held> noDocumentKey = new HashMap<>();
        noDocumentKey.put(nodes.get(0), honest(1, false, true));
        noDocumentKey.put(nodes.get(1), honest(1, false, true));
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_DOCUMENT_KEY, noDocumentKey, Optional.empty()))
                .as("a holder's own 404 is the answer").isEqualTo(new Negotiation.Delegate(nodes.subList(0, 2), 1));
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_DOCUMENT_KEY, noDocumentKey, Optional.of(honest(1, false, false)))).isEqualTo(new Negotiation.RunLocally());
    }

    @Test
    void theEntryNodesOwnMetadataIsOneAgreeingVoiceNeverADelegate_SEC40() {
        // member 2 holds the key but not the document key; member 1 is down: one other holder reports
        Map<NodeId, DelegationMessage.Held> reports = Map.of(nodes.get(0), honest(1, true, true));
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_DOCUMENT_KEY, reports, Optional.of(honest(1, false, true))))
                .isEqualTo(new Negotiation.Delegate(List.of(nodes.get(0)), 1));
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_DOCUMENT_KEY, reports, Optional.empty()))
                .as("without a key of its own, one report is one member's word")
                .isEqualTo(new Negotiation.Unavailable(Kind.CONSENSUS_TEMPORARY_UNREACHABLE));
        assertThat(Negotiation.plan(Endpoint.RETRIEVE_DOCUMENT_KEY, Map.of(nodes.get(0), lie(1)), Optional.of(honest(1, false, true))))
                .as("a disagreeing report ties with the entry node's own: it answers itself").isEqualTo(new Negotiation.RunLocally());
    }
}

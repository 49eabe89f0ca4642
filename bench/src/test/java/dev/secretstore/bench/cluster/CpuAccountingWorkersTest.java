package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The node's worker pool (offloaded session crypto, decoding) is a thread group of its own, apart from the cluster loops. */
class CpuAccountingWorkersTest {
    @Test
    void workerThreadsAreTheirOwnGroup() {
        assertThat(CpuAccounting.group("cluster-work-1a2b3c4d-2")).isEqualTo(CpuAccounting.WORK);
        assertThat(CpuAccounting.group("cluster-loop-1a2b3c4d")).isEqualTo(CpuAccounting.LOOP);
    }
}

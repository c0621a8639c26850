/**
 * The client's machinery behind {@link io.hotswap.client.HotSwapClient}: the Kafka feed and its
 * catch-up, the values in memory, listener dispatch, the snapshot file, decryption, reports. Not
 * API: anything here may change in any release; only {@code hotswap-client-test} reaches in.
 */
package io.hotswap.client.internal;

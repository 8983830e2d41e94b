package org.tesjames.core.dane.delivery;

import java.io.IOException;

/**
 * A connection the delivery plan forbids: a refused host, a host without plan, or a plaintext mail command to a
 * host that requires TLS. An {@link IOException}, so that James's RemoteDelivery treats it as a temporary failure
 * of this host and tries the next one.
 */
public final class DeliveryRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param reason one line, used in logs and DSNs */
    public DeliveryRefusedException(String reason) {
        super(reason);
    }
}

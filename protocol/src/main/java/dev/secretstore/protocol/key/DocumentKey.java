package dev.secretstore.protocol.key;

import dev.secretstore.crypto.PublicPoint;

/** The encrypted document key stored next to a server key: common point C and encrypted point E (crypto.md §10.4). */
public record DocumentKey(PublicPoint commonPoint, PublicPoint encryptedPoint) {}

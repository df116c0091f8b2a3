package io.cdp.common.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an ingestion endpoint: it authenticates with a source's write key, not the admin token.
 * Every other REST endpoint requires the admin token.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface WriteKeyAuth {}

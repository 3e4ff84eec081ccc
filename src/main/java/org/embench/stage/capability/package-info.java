/** Stage 5: score every run on the capability tasks (in-domain learning and alignment tax). */
package org.embench.stage.capability;
